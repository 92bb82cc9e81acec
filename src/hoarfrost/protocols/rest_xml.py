"""The ``rest-xml`` protocol: S3, S3 Control, Route 53, CloudFront.

The HTTP bindings (URI labels, query string, headers incl. ``x-amz-meta-*``, status code,
payload selection) come from ``rest_bindings``; this module adds the XML body on top: a
structure payload is the root element, otherwise the members without a location live under
a root element named after the shape. A blob/string payload is the raw body (``bytes`` or a
``BodyStream``, passed through untouched).

Errors: ``<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>``,
or, for a model patched with the bare error style (S3),
``<Error><Code/><Message/>..fields..<RequestId/><HostId/></Error>`` without a namespace.
Which headers carry the request id and which code a malformed request gets also come from the
(patched) model, so this module names no service.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from hoarfrost.core import catalog, spec_patches
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.http import HttpRequest, HttpResponse
from hoarfrost.protocols import event_stream, wire
from hoarfrost.protocols.base import Protocol, error_status
from hoarfrost.protocols.json_shapes import SerializationException
from hoarfrost.protocols.query import wire_error_code, write_error_fields
from hoarfrost.protocols.rest_bindings import (
    parse_bindings,
    serialize_bindings,
    serialize_shape_bindings,
)
from hoarfrost.protocols.xml_shapes import (
    XmlReader,
    XmlValueError,
    XmlWriter,
    body_members,
    parse_document,
)

_XML = "application/xml"
_MALFORMED = "The XML you provided was not well-formed or did not validate against our published schema"
# Headers that carry the request id unless the model's patch names others.
_REQUEST_ID_HEADERS = ("x-amzn-requestid",)


@cache
def service_namespace(service_name: str) -> str | None:
    """The service's XML namespace, as its own input shapes declare it (one scan per service)."""
    model = catalog.service_model(service_name)
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        if shape is None:
            continue
        candidates = [shape]
        payload = shape.serialization.get("payload")
        if payload:
            candidates.append(shape.members[payload])
        for candidate in candidates:
            namespace = candidate.serialization.get("xmlNamespace")
            if namespace:
                return namespace if isinstance(namespace, str) else namespace.get("uri")
    return None


def root_element(operation: OperationModel) -> str:
    """The root element of an output document without a structure payload: the output shape's
    ``locationName`` (set by the spec patch where the model is silent, as for S3), else its
    name (Route 53 and S3 Control name their output shapes after the root element)."""
    shape = operation.output_shape
    assert shape is not None
    root: str = shape.serialization.get("name") or shape.name
    return root


def payload_element(shape: Shape, payload: str) -> str:
    member = shape.members[payload]
    return member.serialization.get("name") or payload


class RestXmlProtocol(Protocol):
    name = "rest-xml"
    validation_error_code = "InvalidInput"

    def __init__(self) -> None:
        self.reader = XmlReader()
        self.writer = XmlWriter("iso8601")

    # -- requests ---------------------------------------------------------------------------
    def parse_request(
        self, request: HttpRequest, operation: OperationModel, uri_params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        try:
            parsed = parse_bindings(request, operation, uri_params)
        except SerializationException as exc:
            raise ServiceError(str(exc), code=self.validation_code(operation.service_model), status=400) from exc
        params = parsed.params
        if parsed.body is None or parsed.body_shape is None:
            return params
        try:
            root = parse_document(parsed.body)
            if parsed.body_member is not None:
                params[parsed.body_member] = self.reader.value(parsed.body_shape, root, parsed.body_member)
            else:
                params.update(self.reader.structure(parsed.body_shape, root))
        except XmlValueError as exc:
            raise ServiceError(_MALFORMED, code="MalformedXML", status=400) from exc
        return params

    # -- responses --------------------------------------------------------------------------
    def serialize_response(self, output: dict[str, Any], operation: OperationModel, request_id: str) -> HttpResponse:
        parts = serialize_bindings(output, operation)
        headers = parts.headers
        headers.update(self._id_headers(operation.service_model, request_id))
        if parts.raw is not None:
            headers.setdefault("content-type", "application/octet-stream")
            return HttpResponse(parts.status, headers, parts.raw)
        if parts.body_shape is not None and parts.body_shape.serialization.get("eventstream"):
            headers["content-type"] = event_stream.CONTENT_TYPE
            return HttpResponse(parts.status, headers,
                                event_stream.encode_stream(parts.events(), parts.body_shape, self._encode_event))
        if parts.body is None or parts.body_shape is None:
            return HttpResponse(parts.status, headers, b"")
        shape = operation.output_shape
        assert shape is not None
        namespace = service_namespace(operation.service_model.service_name)
        payload = shape.serialization.get("payload")
        if payload is not None:
            body = self.writer.document(parts.body_shape, parts.body, payload_element(shape, payload), namespace)
        else:
            body = self._document(parts.body_shape, parts.body, root_element(operation), namespace)
        headers.setdefault("content-type", _XML)
        return HttpResponse(parts.status, headers, body)

    def _encode_event(self, shape: Shape, value: Any) -> tuple[bytes, str]:
        """An event's payload structure: a document whose root is named after its shape
        (S3 Select's ``<Stats>``, ``<Progress>``)."""
        return self.writer.document(shape, value, shape.name), "text/xml"

    def _document(self, shape: Shape, values: dict[str, Any], root: str, namespace: str | None) -> bytes:
        """A document of the body members under ``root``. When the root *is* the sole body
        member (S3's ``<LocationConstraint>region</LocationConstraint>``), it holds that value."""
        plans = body_members(shape)
        if len(plans) == 1 and plans[0].xml_name == root and \
                plans[0].shape.type_name not in ("structure", "list", "map"):
            value = values.get(plans[0].name)
            xmlns = f' xmlns="{wire.xml_escape(namespace)}"' if namespace else ""
            text = "" if value is None else wire.xml_escape(str(value))
            return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}{xmlns}>{text}</{root}>'.encode()
        return self.writer.document(shape, values, root, namespace)

    @staticmethod
    def _id_headers(service: ServiceModel, request_id: str) -> dict[str, str]:
        """``x-amzn-RequestId``, or the headers the model's patch names (S3 and S3 Control:
        ``x-amz-request-id`` and ``x-amz-id-2``)."""
        names = service.metadata.get(spec_patches.REQUEST_ID_HEADERS) or _REQUEST_ID_HEADERS
        return dict.fromkeys(names, request_id)

    # -- errors -----------------------------------------------------------------------------
    def serialize_error(
        self, error: ServiceError, service: ServiceModel, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        status = error_status(error, service)
        code, shape = wire_error_code(error, service)
        headers = self._id_headers(service, request_id)
        headers["content-type"] = _XML
        if shape is not None and error.fields:
            bound = serialize_shape_bindings(error.fields, shape, status)
            headers.update(bound.headers)
        code_text, message = wire.xml_escape(code), wire.xml_escape(error.message)
        if service.metadata.get(spec_patches.ERROR_STYLE) == "bare":
            out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
                   f'<Error><Code>{code_text}</Code><Message>{message}</Message>']
            write_error_fields(self.writer, error, shape, out)
            out.append(f"<RequestId>{wire.xml_escape(request_id)}</RequestId><HostId>{wire.xml_escape(request_id)}</HostId></Error>")
        else:
            namespace = service_namespace(service.service_name)
            xmlns = f' xmlns="{wire.xml_escape(namespace)}"' if namespace else ""
            fault = "Sender" if error.sender_fault and status < 500 else "Receiver"
            out = [
                f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse{xmlns}><Error><Type>{fault}</Type>'
                f"<Code>{code_text}</Code><Message>{message}</Message>"
            ]
            write_error_fields(self.writer, error, shape, out)
            out.append(f"</Error><RequestId>{wire.xml_escape(request_id)}</RequestId></ErrorResponse>")
        return HttpResponse(status, headers, "".join(out).encode("utf-8"))


PROTOCOL = RestXmlProtocol()
