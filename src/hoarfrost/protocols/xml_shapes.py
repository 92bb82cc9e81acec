"""The shape-driven XML writer and reader the XML protocols (query, ec2, rest-xml) share.

The writer emits exactly what botocore's XML response parsers read: structure members under
their ``locationName``, non-flattened lists as ``<Name><member>..</member></Name>`` (or the
list member's ``locationName``), flattened lists as repeated elements, maps as
``<entry><key/><value/></entry>`` (flattened: repeated ``<Name><key/><value/></Name>``),
``xmlAttribute`` members as attributes and ``xmlNamespace`` as ``xmlns``.

The reader is its mirror for request bodies (rest-xml). Both walk shapes by ``type_name``;
what they precompute per structure (member names, locations, flattening) is cached in a
plan keyed by the shape object, so a request costs look-ups only.
"""

from __future__ import annotations

import binascii
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from botocore.model import Shape
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from hoarfrost.protocols import wire

# Members bound to the HTTP envelope rather than the XML body (rest-xml).
_HTTP_LOCATIONS = frozenset({"uri", "querystring", "header", "headers", "statusCode"})


# -- scalars ---------------------------------------------------------------------------------
def format_boolean(value: Any) -> str:
    if isinstance(value, str):
        return "true" if value.lower() == "true" else "false"
    return "true" if value else "false"


def parse_scalar(shape: Shape, text: str) -> Any:
    """Text from the wire -> the Python value botocore's shape means. Raises ``ValueError``."""
    type_name = shape.type_name
    if type_name == "string":
        return text
    if type_name in ("integer", "long"):
        return int(text.strip())
    if type_name == "boolean":
        lowered = text.strip().lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
        raise ValueError(f"not a boolean: {text!r}")
    if type_name in ("float", "double"):
        return float(text.strip())
    if type_name == "timestamp":
        return wire.parse_timestamp(text)
    if type_name == "blob":
        try:
            return wire.b64decode(text.strip().encode("ascii"))
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise ValueError(f"not base64: {text!r}") from exc
    return text


EXPECTED = {
    "integer": "an integer", "long": "an integer", "boolean": "a boolean (true or false)",
    "float": "a number", "double": "a number", "timestamp": "a timestamp", "blob": "base64-encoded data",
}


# -- per-structure plans -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MemberPlan:
    name: str  # the member's name in the input/output dict
    xml_name: str  # element (or attribute) name on the wire
    shape: Shape
    attribute: bool


_plans: dict[int, tuple[Shape, tuple[MemberPlan, ...]]] = {}
_plans_lock = threading.Lock()


def member_xml_name(member: Shape, name: str) -> str:
    """The element a structure member lives in: flattened lists with a named member use the
    member's name (botocore's ``_member_key_name``), everything else its ``locationName``."""
    if member.type_name == "list" and member.serialization.get("flattened"):
        inner: str | None = member.member.serialization.get("name")
        if inner:
            return inner
    location: str = member.serialization.get("name", name)
    return location


def body_members(shape: Shape) -> tuple[MemberPlan, ...]:
    """The members of a structure that live in the XML body, in model order (cached)."""
    cached = _plans.get(id(shape))
    if cached is not None and cached[0] is shape:
        return cached[1]
    plan = []
    for name, member in shape.members.items():
        serialization = member.serialization
        if serialization.get("location") in _HTTP_LOCATIONS or serialization.get("eventheader"):
            continue
        attribute = bool(serialization.get("xmlAttribute"))
        xml_name = serialization.get("name", name) if attribute else member_xml_name(member, name)
        plan.append(MemberPlan(name, xml_name, member, attribute))
    result = tuple(plan)
    with _plans_lock:
        _plans[id(shape)] = (shape, result)
    return result


def namespace_attribute(shape: Shape) -> str:
    """`` xmlns="..."`` (or ``xmlns:prefix``) for a shape that declares ``xmlNamespace``."""
    namespace = shape.serialization.get("xmlNamespace")
    if not namespace:
        return ""
    if isinstance(namespace, str):
        return f' xmlns="{wire.xml_escape(namespace)}"'
    prefix = namespace.get("prefix")
    attr = f"xmlns:{prefix}" if prefix else "xmlns"
    return f' {attr}="{wire.xml_escape(namespace.get("uri", ""))}"'


# -- writer ------------------------------------------------------------------------------------
Formatter = Callable[[Any], str]


def _string_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _integer_text(value: Any) -> str:
    return str(int(value))


def _blob_text(value: Any) -> str:
    return wire.b64encode(value.encode("utf-8") if isinstance(value, str) else bytes(value))


def scalar_formatter(shape: Shape, timestamp_format: str) -> Formatter:
    """The value -> text function for one scalar shape (chosen once per shape, not per value)."""
    type_name = shape.type_name
    if type_name == "string":
        return _string_text
    if type_name == "boolean":
        return format_boolean
    if type_name in ("integer", "long"):
        return _integer_text
    if type_name in ("float", "double"):
        return wire.format_float
    if type_name == "timestamp":
        fmt = shape.serialization.get("timestampFormat") or timestamp_format
        return lambda value: str(wire.format_timestamp(value, fmt))
    if type_name == "blob":
        return _blob_text
    return _string_text


@dataclass(frozen=True, slots=True)
class WritePlan:
    """One structure member as a writer emits it: tags and formatter precomputed."""

    name: str
    xml_name: str
    shape: Shape
    attribute: bool
    open: str  # "<Name xmlns=..>" for scalars
    close: str
    format: Formatter | None  # None: a structure, list or map, written by the walker


class XmlWriter:
    """Serialise values to XML text by walking their shapes; ``out`` collects string pieces.

    Each structure's members are compiled once per writer into ``WritePlan``s (element name,
    tags, scalar formatter), so writing a value is look-ups and string appends."""

    def __init__(self, timestamp_format: str = "iso8601") -> None:
        self.timestamp_format = timestamp_format
        self._dispatch: dict[str, Callable[[Shape, Any, str, list[str], str], None]] = {
            "structure": self._structure,
            "list": self._list,
            "map": self._map,
        }
        self._compiled: dict[int, tuple[Shape, tuple[WritePlan, ...]]] = {}
        # Per structure: (shape, its xmlns attribute, attribute plans, element plans).
        self._split: dict[int, tuple[Shape, str, tuple[WritePlan, ...], tuple[WritePlan, ...]]] = {}
        self._formatters: dict[int, tuple[Shape, Formatter]] = {}

    def document(self, shape: Shape, value: Any, root: str, namespace: str | None = None) -> bytes:
        """A whole document rooted at ``root`` (rest-xml bodies)."""
        out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n']
        extra = (f' xmlns="{wire.xml_escape(namespace)}"'
                 if namespace and not shape.serialization.get("xmlNamespace") else "")
        self.element(shape, value, root, out, extra)
        return "".join(out).encode("utf-8")

    # -- naming hooks: a writer for a model that lost its wire names overrides these two ------
    def member_names(self, shape: Shape) -> tuple[MemberPlan, ...]:
        return body_members(shape)

    def map_names(self, shape: Shape) -> tuple[str, str]:
        return shape.key.serialization.get("name", "key"), shape.value.serialization.get("name", "value")

    # -- plans --------------------------------------------------------------------------------
    def plans(self, shape: Shape) -> tuple[WritePlan, ...]:
        cached = self._compiled.get(id(shape))
        if cached is not None and cached[0] is shape:
            return cached[1]
        compiled = []
        for member in self.member_names(shape):
            scalar = member.shape.type_name not in self._dispatch
            compiled.append(WritePlan(
                member.name, member.xml_name, member.shape, member.attribute,
                f"<{member.xml_name}{namespace_attribute(member.shape)}>", f"</{member.xml_name}>",
                scalar_formatter(member.shape, self.timestamp_format) if scalar else None,
            ))
        result = tuple(compiled)
        self._compiled[id(shape)] = (shape, result)
        return result

    def split_plans(self, shape: Shape) -> tuple[Shape, str, tuple[WritePlan, ...], tuple[WritePlan, ...]]:
        """(shape, xmlns attribute, plans written as attributes, plans written as elements),
        once per structure shape: writing a structure is then no more than its values."""
        cached = self._split.get(id(shape))
        if cached is not None and cached[0] is shape:
            return cached
        plans = self.plans(shape)
        cached = (shape, namespace_attribute(shape),
                  tuple(plan for plan in plans if plan.attribute and plan.format is not None),
                  tuple(plan for plan in plans if not plan.attribute))
        self._split[id(shape)] = cached
        return cached

    def formatter(self, shape: Shape) -> Formatter:
        cached = self._formatters.get(id(shape))
        if cached is None or cached[0] is not shape:
            cached = (shape, scalar_formatter(shape, self.timestamp_format))
            self._formatters[id(shape)] = cached
        return cached[1]

    # -- the walk -------------------------------------------------------------------------------
    def members(self, shape: Shape, value: dict[str, Any], out: list[str]) -> None:
        """The body members of a structure, without an element around them (query's Result)."""
        escape = wire.xml_escape
        for plan in self.split_plans(shape)[3]:
            item = value.get(plan.name)
            if item is None:
                continue
            if plan.format is not None:
                out.append(f"{plan.open}{escape(plan.format(item))}{plan.close}")
            else:
                self.element(plan.shape, item, plan.xml_name, out)

    def element(self, shape: Shape, value: Any, name: str, out: list[str], extra_attrs: str = "") -> None:
        handler = self._dispatch.get(shape.type_name)
        if handler is not None:
            handler(shape, value, name, out, extra_attrs)
            return
        text = wire.xml_escape(self.formatter(shape)(value))
        out.append(f"<{name}{namespace_attribute(shape)}{extra_attrs}>{text}</{name}>")

    def _structure(self, shape: Shape, value: Any, name: str, out: list[str], extra_attrs: str) -> None:
        if not isinstance(value, dict):
            raise TypeError(f"{shape.name}: expected a dict for element <{name}>, got {type(value).__name__}")
        # The shape's own xmlNamespace declares any prefix its attributes use (S3's Grantee
        # declares xmlns:xsi for xsi:type).
        _, namespace, attribute_plans, _ = self.split_plans(shape)
        if attribute_plans:
            attrs = [namespace, extra_attrs]
            for plan in attribute_plans:
                if value.get(plan.name) is not None:
                    attrs.append(f' {plan.xml_name}="{wire.xml_escape(plan.format(value[plan.name]))}"')  # type: ignore[misc]
            out.append(f"<{name}{''.join(attrs)}>")
        else:
            out.append(f"<{name}{namespace}{extra_attrs}>")
        self.members(shape, value, out)
        out.append(f"</{name}>")

    def _list(self, shape: Shape, value: Any, name: str, out: list[str], extra_attrs: str) -> None:
        member = shape.member
        flattened = bool(shape.serialization.get("flattened"))
        item_name = name if flattened else member.serialization.get("name", "member")
        if not flattened:
            out.append(f"<{name}{namespace_attribute(shape)}{extra_attrs}>")
            extra_attrs = ""
        handler = self._dispatch.get(member.type_name)
        if handler is not None:
            for item in value:
                if item is not None:
                    handler(member, item, item_name, out, extra_attrs)
        else:
            text_of, escape = self.formatter(member), wire.xml_escape
            open_tag, close_tag = f"<{item_name}{namespace_attribute(member)}{extra_attrs}>", f"</{item_name}>"
            for item in value:
                if item is not None:
                    out.append(f"{open_tag}{escape(text_of(item))}{close_tag}")
        if not flattened:
            out.append(f"</{name}>")

    def _map(self, shape: Shape, value: Any, name: str, out: list[str], extra_attrs: str) -> None:
        key_shape, value_shape = shape.key, shape.value
        key_name, value_name = self.map_names(shape)
        flattened = bool(shape.serialization.get("flattened"))
        if not flattened:
            out.append(f"<{name}{namespace_attribute(shape)}{extra_attrs}>")
        for key, item in value.items():
            out.append(f"<{name}>" if flattened else "<entry>")
            self.element(key_shape, key, key_name, out)
            if item is not None:
                self.element(value_shape, item, value_name, out)
            out.append(f"</{name}>" if flattened else "</entry>")
        if not flattened:
            out.append(f"</{name}>")


# -- reader ------------------------------------------------------------------------------------
class XmlValueError(ValueError):
    """A body that is not XML, or a value of the wrong type; ``path`` names where."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path


def parse_document(body: bytes) -> Element:
    """Parse a request body with entity expansion and external references refused."""
    try:
        root: Element = SafeET.fromstring(body)
        return root
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise XmlValueError("The XML you provided was not well-formed or did not validate against our published "
                            f"schema: {exc}") from exc


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag[:1] == "{" else tag


def _children_by_name(element: Element) -> dict[str, list[Element]]:
    children: dict[str, list[Element]] = {}
    for child in element:
        children.setdefault(local_name(child.tag), []).append(child)
    return children


class XmlReader:
    """Read an element tree into an input dict typed as the shape says (the writer's mirror)."""

    def structure(self, shape: Shape, element: Element, path: str = "") -> dict[str, Any]:
        if shape.metadata.get("document"):
            return {}
        children = _children_by_name(element)
        result: dict[str, Any] = {}
        for plan in body_members(shape):
            member_path = f"{path}.{plan.name}" if path else plan.name
            if plan.attribute:
                value = _attribute(element, plan.xml_name)
                if value is not None:
                    result[plan.name] = self._scalar(plan.shape, value, member_path)
                continue
            nodes = children.get(plan.xml_name)
            if not nodes:
                continue
            member = plan.shape
            if member.type_name in ("list", "map") and member.serialization.get("flattened"):
                result[plan.name] = self._flattened(member, nodes, member_path)
            else:
                result[plan.name] = self.value(member, nodes[0], member_path)
        return result

    def value(self, shape: Shape, element: Element, path: str) -> Any:
        type_name = shape.type_name
        if type_name == "structure":
            return self.structure(shape, element, path)
        if type_name == "list":
            return [self.value(shape.member, child, f"{path}[{index}]") for index, child in enumerate(element)]
        if type_name == "map":
            return self._map_entries(shape, list(element), path)
        return self._scalar(shape, element.text or "", path)

    def _flattened(self, shape: Shape, nodes: list[Element], path: str) -> Any:
        if shape.type_name == "list":
            return [self.value(shape.member, node, f"{path}[{index}]") for index, node in enumerate(nodes)]
        return self._map_entries(shape, nodes, path)

    def _map_entries(self, shape: Shape, entries: list[Element], path: str) -> dict[Any, Any]:
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        result: dict[Any, Any] = {}
        for entry in entries:
            key: Any = None
            item: Any = None
            for part in entry:
                tag = local_name(part.tag)
                if tag == key_name:
                    key = self._scalar(shape.key, part.text or "", f"{path}.key")
                elif tag == value_name:
                    item = self.value(shape.value, part, f"{path}.{key}")
            if key is not None:
                result[key] = item
        return result

    def _scalar(self, shape: Shape, text: str, path: str) -> Any:
        try:
            return parse_scalar(shape, text)
        except ValueError as exc:
            expected = EXPECTED.get(shape.type_name, shape.type_name)
            raise XmlValueError(f"Value '{text}' at '{path}' is not {expected}", path) from exc


def _attribute(element: Element, name: str) -> str | None:
    """An attribute by its model name (``xsi:type``): ElementTree spells prefixed names as
    ``{uri}type``, so match on the local part after the prefix."""
    value = element.attrib.get(name)
    if value is not None:
        return value
    if ":" in name:
        local = name.split(":", 1)[1]
        for key, item in element.attrib.items():
            if key[:1] == "{" and key.rsplit("}", 1)[1] == local:
                return item
    return None
