"""The AWS query protocol (STS, IAM, SNS, SES, CloudFormation, ... and SQS's legacy wire).

Requests are form-encoded ``Action=...&Version=...&Member.member.1=...`` (body, or the query
string of a GET); responses are XML
``<OpResponse xmlns=..><OpResult>..</OpResult><ResponseMetadata>..</ResponseMetadata></OpResponse>``;
errors ``<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>``.

Parsing first folds the flat ``A.b.1.C`` keys into a tree (one pass over the parameters), then
walks the input shape over that tree, so each parameter is touched once and nothing scans the
model per request. The name rules (``locationName``, ``.member.N``, flattened lists, map
``entry.N.key``) live in one reader class; ec2 overrides the two that differ.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import parse_qsl

from botocore.model import OperationModel, ServiceModel, Shape

from hoarfrost.core.errors import ServiceError, ValidationError
from hoarfrost.core.http import HttpRequest, HttpResponse
from hoarfrost.protocols import wire
from hoarfrost.protocols.base import Protocol, error_shape, error_status
from hoarfrost.protocols.xml_shapes import (
    EXPECTED,
    MemberPlan,
    XmlWriter,
    body_members,
    parse_scalar,
)

Tree = dict[str, Any]  # name part -> subtree or leaf string


def form_params(request: HttpRequest) -> list[tuple[str, str]]:
    """Query-string parameters, then form-body parameters (a body value wins)."""
    pairs: list[tuple[str, str]] = []
    if request.query:
        pairs.extend(parse_qsl(request.query, keep_blank_values=True))
    if request.body:
        content_type = request.headers.get("content-type", "")
        if not content_type or "x-www-form-urlencoded" in content_type:
            pairs.extend(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    return pairs


def fold(pairs: list[tuple[str, str]]) -> Tree:
    """``[("A.member.1.B", "x")]`` -> ``{"A": {"member": {"1": {"B": "x"}}}}``.

    A key that is both a leaf and a prefix (``A=`` for an empty list, then ``A.member.1``)
    keeps the subtree."""
    root: Tree = {}
    for key, value in pairs:
        parts = key.split(".")
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        if not isinstance(node.get(parts[-1]), dict):
            node[parts[-1]] = value
    return root


def _indexed(node: Any) -> list[tuple[int, Any]]:
    """The ``1``, ``2``, ... children of a list or map node, in index order."""
    if not isinstance(node, dict):
        return []
    items = []
    for key, child in node.items():
        if key.isdigit():
            items.append((int(key), child))
    items.sort(key=lambda pair: pair[0])
    return items


class FormReader:
    """Walk an input shape over a folded parameter tree, producing botocore-typed values."""

    def __init__(self, error_code: str) -> None:
        self.error_code = error_code
        self._plans: dict[int, tuple[Shape, tuple[tuple[str, tuple[str, ...], Shape], ...]]] = {}
        self._lock = threading.Lock()

    # -- naming rules (ec2 overrides) --------------------------------------------------------
    def member_keys(self, member: Shape, name: str) -> tuple[str, ...]:
        """The parameter names a structure member may arrive under (first is canonical)."""
        if member.type_name == "list" and member.serialization.get("flattened"):
            inner = member.member.serialization.get("name")
            if inner:
                return (inner,)
        return (member.serialization.get("name", name),)

    def list_items(self, shape: Shape, node: Any) -> list[tuple[int, Any]]:
        if shape.serialization.get("flattened"):
            return _indexed(node)
        if not isinstance(node, dict):
            return []
        return _indexed(node.get(shape.member.serialization.get("name", "member")))

    def map_entries(self, shape: Shape, node: Any) -> list[tuple[int, Any]]:
        if not shape.serialization.get("flattened") and isinstance(node, dict):
            node = node.get("entry")
        return _indexed(node)

    def map_names(self, shape: Shape) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return (shape.key.serialization.get("name", "key"),), (shape.value.serialization.get("name", "value"),)

    # -- the walk --------------------------------------------------------------------------
    def plan(self, shape: Shape) -> tuple[tuple[str, tuple[str, ...], Shape], ...]:
        cached = self._plans.get(id(shape))
        if cached is not None and cached[0] is shape:
            return cached[1]
        plan = tuple((name, self.member_keys(member, name), member) for name, member in shape.members.items())
        with self._lock:
            self._plans[id(shape)] = (shape, plan)
        return plan

    def structure(self, shape: Shape, node: Any, path: str = "") -> dict[str, Any]:
        result: dict[str, Any] = {}
        if not isinstance(node, dict):
            if node == "":
                return result
            self._fail(shape, node, path)
        for name, keys, member in self.plan(shape):
            for key in keys:
                child = node.get(key)
                if child is not None:
                    result[name] = self.value(member, child, f"{path}.{key}" if path else key)
                    break
        return result

    def value(self, shape: Shape, node: Any, path: str) -> Any:
        type_name = shape.type_name
        if type_name == "structure":
            return self.structure(shape, node, path)
        if type_name == "list":
            member = shape.member
            return [self.value(member, child, f"{path}.{index}") for index, child in self.list_items(shape, node)]
        if type_name == "map":
            key_names, value_names = self.map_names(shape)
            result: dict[Any, Any] = {}
            for index, entry in self.map_entries(shape, node):
                if not isinstance(entry, dict):
                    continue
                key = _first(entry, key_names)
                if key is None:
                    continue
                item = _first(entry, value_names)
                key_value = self.value(shape.key, key, f"{path}.{index}.{key_names[0]}")
                result[key_value] = None if item is None else self.value(
                    shape.value, item, f"{path}.{index}.{value_names[0]}"
                )
            return result
        if isinstance(node, dict):
            self._fail(shape, node, path)
        try:
            return parse_scalar(shape, node)
        except ValueError:
            self._fail(shape, node, path)

    def _fail(self, shape: Shape, node: Any, path: str) -> None:
        shown = node if isinstance(node, str) else "(nested parameters)"
        expected = EXPECTED.get(shape.type_name, f"a {shape.type_name}")
        raise ValidationError(
            f"Value '{shown}' for parameter {path} is invalid. Reason: it must be {expected}.",
            code=self.error_code,
        )


def _first(entry: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = entry.get(name)
        if value is not None:
            return value
    return None


class QueryCompatibleReader(FormReader):
    """Query requests to a service whose model is json (SQS with ``awsQueryCompatible``).

    Such models dropped the query-era ``locationName``s of flattened members, so the legacy wire
    names (``AttributeName.1``, ``Attribute.1.Name``, ``SendMessageBatchRequestEntry.1.Id``,
    ``Tag.1.Key``) are accepted beside the model's own: the singular of the member name, the
    member shape's name, and ``Name``/``Key``/``Value`` inside map entries."""

    def member_keys(self, member: Shape, name: str) -> tuple[str, ...]:
        keys = list(super().member_keys(member, name))
        if member.type_name in ("list", "map") and member.serialization.get("flattened"):
            keys.extend(legacy_names(member, name))
        return tuple(dict.fromkeys(keys))

    def map_names(self, shape: Shape) -> tuple[tuple[str, ...], tuple[str, ...]]:
        keys, values = super().map_names(shape)
        return (*keys, "Name", "Key"), (*values, "Value")


def legacy_names(member: Shape, name: str) -> list[str]:
    """Query-era element names of a flattened member of a json-modelled service, best first."""
    capital = name[:1].upper() + name[1:]
    singular = capital[:-1] if capital.endswith("s") else capital
    names = []
    if member.type_name == "list" and member.member.type_name == "structure":
        names.append(member.member.name)
    names.extend([singular, singular + "Name"])
    # "Action" and "Version" name the operation itself (SQS's Actions list arrives as ActionName.N).
    return [legacy for legacy in names if legacy not in ("Action", "Version")]


class QueryCompatibleWriter(XmlWriter):
    """Responses of a json-modelled service answered over query, in the query-era names
    (``<QueueUrl>``, ``<Message>``, ``<Attribute><Name/><Value/></Attribute>``, ``<Tag><Key/>``)."""

    def __init__(self, timestamp_format: str = "iso8601") -> None:
        super().__init__(timestamp_format)
        self._legacy_plans: dict[int, tuple[Shape, tuple[MemberPlan, ...]]] = {}

    def member_names(self, shape: Shape) -> tuple[MemberPlan, ...]:
        cached = self._legacy_plans.get(id(shape))
        if cached is not None and cached[0] is shape:
            return cached[1]
        plans = []
        for plan in body_members(shape):
            member = plan.shape
            if (
                member.type_name in ("list", "map")
                and member.serialization.get("flattened")
                and "name" not in member.serialization
                and (member.type_name == "map" or "name" not in member.member.serialization)
            ):
                plan = MemberPlan(plan.name, legacy_names(member, plan.name)[0], member, plan.attribute)
            plans.append(plan)
        result = tuple(plans)
        self._legacy_plans[id(shape)] = (shape, result)
        return result

    def map_names(self, shape: Shape) -> tuple[str, str]:
        key = shape.key.serialization.get("name") or ("Key" if shape.key.name.endswith("Key") else "Name")
        return key, shape.value.serialization.get("name", "Value")


class QueryProtocol(Protocol):
    name = "query"
    validation_error_code = "ValidationError"
    content_type = "text/xml"

    def __init__(self) -> None:
        self.reader = FormReader(self.validation_error_code)
        self.compatible_reader = QueryCompatibleReader(self.validation_error_code)
        self.writer = XmlWriter("iso8601")
        self.compatible_writer = QueryCompatibleWriter("iso8601")

    # -- requests ---------------------------------------------------------------------------
    def parse_request(
        self, request: HttpRequest, operation: OperationModel, uri_params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        tree = fold(form_params(request))
        reader = self.compatible_reader if self.legacy_names(operation.service_model) else self.reader
        return reader.structure(shape, tree)

    def legacy_names(self, service: ServiceModel) -> bool:
        """True for a service whose model no longer speaks this protocol (SQS: json only, yet
        query requests still arrive), so the query-era wire names must be reconstructed."""
        protocols = service.metadata.get("protocols") or (service.protocol,)
        return self.name not in protocols

    # -- responses --------------------------------------------------------------------------
    def namespace(self, service: ServiceModel) -> str:
        namespace: str | None = service.metadata.get("xmlNamespace")
        if namespace:
            return namespace
        return f"http://{service.endpoint_prefix}.amazonaws.com/doc/{service.api_version}/"

    def serialize_response(self, output: dict[str, Any], operation: OperationModel, request_id: str) -> HttpResponse:
        name = operation.name
        service = operation.service_model
        out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{name}Response xmlns="{self.namespace(service)}">']
        shape = operation.output_shape
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper")
            if wrapper is None and self.legacy_names(service):
                wrapper = f"{name}Result"  # query-compatible json models carry no wrapper
            if wrapper:
                out.append(f"<{wrapper}>")
            self.writer_for(service).members(shape, output, out)
            if wrapper:
                out.append(f"</{wrapper}>")
        out.append(
            f"<ResponseMetadata><RequestId>{wire.xml_escape(request_id)}</RequestId></ResponseMetadata>"
            f"</{name}Response>"
        )
        return HttpResponse(200, self._headers(request_id), "".join(out).encode("utf-8"))

    def writer_for(self, service: ServiceModel) -> XmlWriter:
        return self.compatible_writer if self.legacy_names(service) else self.writer

    def _headers(self, request_id: str) -> dict[str, str]:
        return {"content-type": self.content_type, "x-amzn-requestid": request_id}

    # -- errors -----------------------------------------------------------------------------
    def serialize_error(
        self, error: ServiceError, service: ServiceModel, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        status = error_status(error, service)
        code, shape = wire_error_code(error, service)
        fault = "Sender" if error.sender_fault and status < 500 else "Receiver"
        out = [
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="{self.namespace(service)}">',
            f"<Error><Type>{fault}</Type><Code>{wire.xml_escape(code)}</Code>"
            f"<Message>{wire.xml_escape(error.message)}</Message>",
        ]
        write_error_fields(self.writer, error, shape, out)
        out.append(f"</Error><RequestId>{wire.xml_escape(request_id)}</RequestId></ErrorResponse>")
        return HttpResponse(status, self._headers(request_id), "".join(out).encode("utf-8"))


def wire_error_code(error: ServiceError, service: ServiceModel) -> tuple[str, Shape | None]:
    """The code a query client matches on: the error shape's ``error.code`` when the model has
    one, else the error's ``query_code`` (a json-modelled, query-compatible service such as SQS,
    whose model lost ``AWS.SimpleQueueService.NonExistentQueue`` for ``QueueDoesNotExist``),
    else the error's own code."""
    shape = error_shape(service, error.code)
    if shape is None:
        return error.query_code or error.code, None
    return shape.metadata.get("error", {}).get("code") or error.query_code or error.code, shape


def write_error_fields(writer: XmlWriter, error: ServiceError, shape: Shape | None, out: list[str]) -> None:
    """An error's extra fields as members of its error shape (plain text if unmodelled)."""
    members = shape.members if shape is not None else {}
    for name, value in error.fields.items():
        if value is None or name in ("Code", "Message", "Type", "RequestId"):
            continue
        member = members.get(name)
        if member is not None:
            if member.serialization.get("location"):
                continue
            writer.element(member, value, member.serialization.get("name", name), out)
        else:
            out.append(f"<{name}>{wire.xml_escape(str(value))}</{name}>")


PROTOCOL = QueryProtocol()
