"""The HTTP bindings of the rest protocols (rest-json and rest-xml), server side.

A rest operation spreads its members over the HTTP message: URI labels (``/{Bucket}/{Key+}``),
query-string keys (scalars, lists, and a map that takes every key nobody else claims),
headers (scalars, comma-separated lists, base64-JSON ``jsonvalue`` strings, timestamps,
prefix maps such as ``x-amz-meta-``), the status code, and the body. The body is either
one *payload* member (a raw blob/string, or a structure encoded by the body codec) or every
member without a location. This module handles all of that; a rest protocol only adds its
body codec (JSON or XML) on top.

API (stable; ``rest_json.py`` and ``rest_xml.py`` build on it):

- ``bindings_for(shape) -> HttpBindings``: where each member of a structure travels,
  computed once per shape object and cached.
- ``parse_bindings(request, operation, uri_params) -> ParsedRequest``: the members from the
  URI, query string, headers and host prefix, plus the raw payload; and what is left for the
  body codec (``body`` bytes, the ``body_shape`` to decode them as, and whether the result
  goes under ``body_member`` or is merged into ``params`` restricted to ``body_members``).
- ``serialize_bindings(output, operation) -> ResponseParts``: status, headers, what the body
  codec must encode (``body`` values for ``body_shape``) or the ``raw`` payload
  (``bytes``/``BodyStream``, passed through untouched).
- ``serialize_shape_bindings(values, shape, status)``: the same for any structure (errors
  with header-bound members).

Values from the URI, query string and headers are typed as the shape says (ints, floats,
booleans, aware datetimes, JSON documents); a value that does not convert raises
``SerializationException``. Header names are lower-case on both sides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from botocore.model import OperationModel, Shape

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.http import BodyStream, HttpRequest
from hoarfrost.protocols import wire
from hoarfrost.protocols.json_shapes import SerializationException

Member = tuple[str, str, Shape]  # (member name, wire name: label / query key / header, shape)


@dataclass(frozen=True, slots=True)
class HttpBindings:
    """Where each member of one input, output or error structure travels."""

    shape: Shape
    uri: tuple[Member, ...]
    query: tuple[Member, ...]  # scalar and list query-string members
    query_map: tuple[str, Shape] | None  # the map member that takes the remaining keys
    headers: tuple[Member, ...]  # header names lower-case
    header_maps: tuple[Member, ...]  # (member, lower-case prefix, map shape)
    status_member: str | None
    host_labels: tuple[str, ...]
    payload: str | None  # the payload member's name, if the shape names one
    raw_payload: bool  # the payload is a blob or string: the body itself, not encoded
    body_members: tuple[str, ...]  # members without a location (only used when payload is None)
    # Look-ups for walking the smaller side: a request's few headers against an input's many
    # header members, an output's few values against its many header members.
    header_index: dict[str, tuple[Member, ...]]  # lower-case header -> members bound to it
    header_members: dict[str, Member]  # member name -> its header binding

    @property
    def has_body_members(self) -> bool:
        return self.payload is not None or bool(self.body_members)


_bindings: dict[int, tuple[Shape, HttpBindings]] = {}


def bindings_for(shape: Shape) -> HttpBindings:
    """The (cached) bindings of a structure shape."""
    entry = _bindings.get(id(shape))
    if entry is None or entry[0] is not shape:
        entry = (shape, _compute_bindings(shape))
        _bindings[id(shape)] = entry
    return entry[1]


def _compute_bindings(shape: Shape) -> HttpBindings:
    uri: list[Member] = []
    query: list[Member] = []
    query_map: tuple[str, Shape] | None = None
    headers: list[Member] = []
    header_maps: list[Member] = []
    status_member = None
    host_labels: list[str] = []
    body_members: list[str] = []
    for name, member in shape.members.items():
        serialization = member.serialization
        location = serialization.get("location")
        key = serialization.get("name", name)
        if serialization.get("hostLabel"):
            host_labels.append(name)
        if location == "uri":
            uri.append((name, key, member))
        elif location == "querystring":
            if member.type_name == "map":
                query_map = (name, member)
            else:
                query.append((name, key, member))
        elif location == "header":
            headers.append((name, key.lower(), member))
        elif location == "headers":
            header_maps.append((name, serialization.get("name", "").lower(), member))
        elif location == "statusCode":
            status_member = name
        elif not location:
            body_members.append(name)
    payload = shape.serialization.get("payload")
    raw_payload = payload is not None and shape.members[payload].type_name in ("blob", "string")
    header_index: dict[str, tuple[Member, ...]] = {}
    for binding in headers:
        header_index[binding[1]] = (*header_index.get(binding[1], ()), binding)
    return HttpBindings(
        shape, tuple(uri), tuple(query), query_map, tuple(headers), tuple(header_maps), status_member,
        tuple(host_labels), payload, raw_payload, tuple(body_members), header_index,
        {binding[0]: binding for binding in headers},
    )


# -- text -> typed values ---------------------------------------------------------------------
_TRUE_FALSE = {"true": True, "false": False}
def parse_text(shape: Shape, text: str, where: str) -> Any:
    """One scalar from a URI label, query value or header, typed as ``shape``."""
    type_name = shape.type_name
    try:
        if type_name == "string":
            if shape.serialization.get("jsonvalue"):
                return json.loads(wire.b64decode(text).decode("utf-8"))
            return text
        if type_name in ("integer", "long"):
            return int(text)
        if type_name == "boolean":
            return _TRUE_FALSE[text.strip().lower()]
        if type_name in ("float", "double"):
            return float(text)  # also reads NaN, Infinity and -Infinity
        if type_name == "timestamp":
            return wire.parse_timestamp(text)
        if type_name == "blob":
            return wire.b64decode(text)
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        raise SerializationException(f"Value '{text}' in {where} can not be converted to {type_name}") from exc
    return text


def split_header_list(text: str) -> list[str]:
    """An RFC 7230 comma-separated header list; items may be double-quoted with ``\\"`` escapes."""
    items: list[str] = []
    position, length = 0, len(text)
    while position <= length:
        while position < length and text[position] in " \t":
            position += 1
        if position < length and text[position] == '"':
            position += 1
            chars: list[str] = []
            while position < length and text[position] != '"':
                if text[position] == "\\" and position + 1 < length:
                    position += 1
                chars.append(text[position])
                position += 1
            items.append("".join(chars))
            end = text.find(",", position)
            position = length + 1 if end < 0 else end + 1
        else:
            end = text.find(",", position)
            if end < 0:
                items.append(text[position:].strip())
                break
            items.append(text[position:end].strip())
            position = end + 1
    return items


# -- typed values -> text ---------------------------------------------------------------------
def format_text(shape: Shape, value: Any, timestamp_format: str) -> str:
    """One scalar for a header or query value; ``timestamp_format`` is the location's default."""
    type_name = shape.type_name
    if type_name == "string":
        if shape.serialization.get("jsonvalue"):
            return wire.b64encode(json.dumps(value, separators=(",", ":")).encode("utf-8"))
        return value if isinstance(value, str) else str(value)
    if type_name == "boolean":
        return "true" if value else "false"
    if type_name in ("float", "double"):
        return wire.format_float(value)
    if type_name == "timestamp":
        return str(wire.format_timestamp(value, shape.serialization.get("timestampFormat", timestamp_format)))
    if type_name == "blob":
        return wire.b64encode(value.encode("utf-8") if isinstance(value, str) else bytes(value))
    return str(value)


def _quote_list_item(text: str) -> str:
    if '"' in text or "," in text:
        return '"' + text.replace('"', '\\"') + '"'
    return text


# -- requests ---------------------------------------------------------------------------------
class ParsedRequest(NamedTuple):
    """What ``parse_bindings`` found, and what is left for the body codec.

    ``params`` holds the members bound to the URI, query string, headers and host prefix,
    and a raw (blob/string) payload. When ``body`` is not None the protocol decodes it as
    ``body_shape``: into ``params[body_member]`` for a structure payload, else merged into
    ``params`` (only ``body_members`` of ``body_shape`` belong there).
    """

    params: dict[str, Any]
    body: bytes | None
    body_shape: Shape | None
    body_member: str | None
    body_members: tuple[str, ...]


def _query_literals(operation: OperationModel) -> frozenset[str]:
    """Keys written into the ``requestUri`` itself (``?uploads``, ``?x-id=GetObject``)."""
    _, _, query = operation.http.get("requestUri", "/").partition("?")
    return frozenset(item.partition("=")[0] for item in query.split("&") if item)


_literal_cache: dict[int, tuple[OperationModel, frozenset[str]]] = {}
_host_prefix_cache: dict[str, re.Pattern[str]] = {}


def _literals_for(operation: OperationModel) -> frozenset[str]:
    entry = _literal_cache.get(id(operation))
    if entry is None or entry[0] is not operation:
        entry = (operation, _query_literals(operation))
        _literal_cache[id(operation)] = entry
    return entry[1]


def _uri_params_from_path(request: HttpRequest, operation: OperationModel) -> dict[str, str]:
    """Fallback when the caller has no router result: match the ``requestUri`` template."""
    from hoarfrost.core.routing.uri_template import split_request_uri

    template, _ = split_request_uri(operation.http.get("requestUri", "/"))
    return template.match(request.path) or {}


def _host_labels(request: HttpRequest, operation: OperationModel) -> dict[str, str]:
    """Values of ``{Label}`` parts of the operation's ``hostPrefix`` read back from the Host."""
    prefix = (operation.endpoint or {}).get("hostPrefix")
    if not prefix:
        return {}
    pattern = _host_prefix_cache.get(prefix)
    if pattern is None:
        parts = re.split(r"\{([^}]+)\}", prefix)
        regex = "".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>[A-Za-z0-9-]+)" for index, part in enumerate(parts)
        )
        pattern = re.compile(regex)
        _host_prefix_cache[prefix] = pattern
    host = request.host
    found = pattern.match(host)
    # A bare IP address or a local name has no prefix: "127.0.0.1" must not read as AccountId "127".
    if found is None or not any(char.isalpha() for char in host[found.end():].split(":")[0]):
        return {}
    return found.groupdict()


def parse_bindings(
    request: HttpRequest, operation: OperationModel, uri_params: dict[str, str] | None = None
) -> ParsedRequest:
    """Members from the URI (``uri_params``: label name -> decoded value, as the router found
    them; matched here from the ``requestUri`` when None), query string, headers and host;
    and the body left for the protocol's codec."""
    shape = operation.input_shape
    if shape is None:
        return ParsedRequest({}, None, None, None, ())
    bindings = bindings_for(shape)
    params: dict[str, Any] = {}
    if bindings.uri:
        if uri_params is None:
            uri_params = _uri_params_from_path(request, operation)
        for name, label, member in bindings.uri:
            value = uri_params.get(label)
            if value is None:
                value = uri_params.get(label + "+")
            if value is not None:
                params[name] = parse_text(member, value, "the URI") if member.type_name != "string" else value
    if bindings.query or bindings.query_map:
        query = request.query_params
        for name, key, member in bindings.query:
            values = query.get(key)
            if values is None:
                continue
            if member.type_name == "list":
                item_shape = member.member
                params[name] = [parse_text(item_shape, value, f"query parameter {key}") for value in values]
            else:
                params[name] = parse_text(member, values[0], f"query parameter {key}")
        if bindings.query_map:
            name, member = bindings.query_map
            claimed = {key for _, key, _ in bindings.query} | _literals_for(operation)
            as_lists = member.value.type_name == "list"
            found = {
                key: (values if as_lists else values[0])
                for key, values in query.items()
                if key not in claimed
            }
            if found:
                params[name] = found
    headers = request.headers
    if len(headers) < len(bindings.headers):
        # Walk the request's few headers, not the input's many header members.
        index = bindings.header_index
        found_headers = [(binding, text) for header, text in headers.items()
                         for binding in index.get(header, ())]
    else:
        found_headers = [(binding, headers[binding[1]]) for binding in bindings.headers
                         if binding[1] in headers]
    for (name, header, member), text in found_headers:
        if member.type_name == "list":
            item_shape = member.member
            params[name] = [parse_text(item_shape, item, f"header {header}") for item in split_header_list(text)]
        else:
            params[name] = parse_text(member, text, f"header {header}")
    for name, prefix, _member in bindings.header_maps:
        found = {key[len(prefix):]: value for key, value in headers.items() if key.startswith(prefix)}
        if found:
            params[name] = found
    if bindings.host_labels:
        for label, value in _host_labels(request, operation).items():
            params.setdefault(label, value)
    if bindings.payload is not None:
        payload_shape = shape.members[bindings.payload]
        if bindings.raw_payload:
            if request.body:
                params[bindings.payload] = (
                    request.body if payload_shape.type_name == "blob" else request.body.decode("utf-8")
                )
            return ParsedRequest(params, None, None, None, ())
        body = request.body if request.body.strip() else None
        return ParsedRequest(params, body, payload_shape, bindings.payload, ())
    if not bindings.body_members:
        return ParsedRequest(params, None, None, None, ())
    return ParsedRequest(params, request.body if request.body.strip() else None, shape, None, bindings.body_members)


# -- responses --------------------------------------------------------------------------------
class ResponseParts(NamedTuple):
    """What ``serialize_bindings`` produced, and what is left for the body codec.

    ``body`` (when not None) holds the values the protocol encodes as ``body_shape``: the
    payload member's value for a structure payload, else the output's body members. ``raw``
    is a blob/string payload to send as is (``bytes`` or ``BodyStream``)."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any] | None
    body_shape: Shape | None
    raw: bytes | BodyStream | None

    def events(self) -> Iterable[Mapping[str, Any] | ServiceError]:
        """``body`` where ``body_shape`` is an event stream: the handler's list of events."""
        return cast("Iterable[Mapping[str, Any] | ServiceError]", self.body or ())


def serialize_bindings(output: dict[str, Any], operation: OperationModel) -> ResponseParts:
    """Status (``statusCode`` member, else the operation's ``responseCode``, else 200), headers,
    and the body left for the codec."""
    status = int(operation.http.get("responseCode", 200))
    shape = operation.output_shape
    if shape is None:
        return ResponseParts(status, {}, None, None, None)
    return serialize_shape_bindings(output, shape, status)


def serialize_shape_bindings(values: dict[str, Any], shape: Shape, status: int) -> ResponseParts:
    bindings = bindings_for(shape)
    headers: dict[str, str] = {}
    if len(values) < len(bindings.headers):
        # Walk the output's few values, not the shape's many header members.
        by_name = bindings.header_members
        found = [(binding, value) for key, value in values.items()
                 if value is not None and (binding := by_name.get(key)) is not None]
    else:
        found = [(binding, values[binding[0]]) for binding in bindings.headers if values.get(binding[0]) is not None]
    for (_name, header, member), value in found:
        if member.type_name == "list":
            if not value:
                continue
            item_shape = member.member
            items = [format_text(item_shape, item, "rfc822") for item in value if item is not None]
            if item_shape.type_name == "string":
                items = [_quote_list_item(item) for item in items]
            headers[header] = ",".join(items)
        else:
            headers[header] = format_text(member, value, "rfc822")
    for name, prefix, _member in bindings.header_maps:
        mapping = values.get(name)
        if mapping:
            for key, value in mapping.items():
                headers[prefix + key.lower()] = value if isinstance(value, str) else str(value)
    if bindings.status_member is not None:
        code = values.get(bindings.status_member)
        if code is not None:
            status = int(code)
    if bindings.payload is not None:
        payload = values.get(bindings.payload)
        if bindings.raw_payload:
            if isinstance(payload, str):
                payload = payload.encode("utf-8")
            elif isinstance(payload, (bytearray, memoryview)):
                payload = bytes(payload)
            return ResponseParts(status, headers, None, None, payload)
        return ResponseParts(status, headers, payload, shape.members[bindings.payload], None)
    body = {name: values[name] for name in bindings.body_members if values.get(name) is not None}
    return ResponseParts(status, headers, body if bindings.body_members else None, shape, None)
