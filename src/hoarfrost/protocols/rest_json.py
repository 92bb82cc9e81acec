"""The ``rest-json`` protocol (awsRestJson1): Lambda, API Gateway, most newer services.

The HTTP bindings (URI labels, query string, headers, status code, payload selection) live in
``rest_bindings``; this module adds the JSON body on top: a structure payload or the members
without a location, encoded by the shared JSON body codec. Errors carry the code in the
``x-amzn-ErrorType`` header (which botocore prefers) and in the body's ``__type`` (which other
SDKs read), with ``message`` and the error shape's extra members in the body.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.http import HttpRequest, HttpResponse
from hoarfrost.protocols import event_stream
from hoarfrost.protocols.base import Protocol, error_shape, error_status
from hoarfrost.protocols.json import dump_json, load_json_object
from hoarfrost.protocols.json_shapes import (
    JSON_CODEC,
    SerializationException,
    ShapeTypeError,
    error_document,
    error_type,
)
from hoarfrost.protocols.rest_bindings import (
    parse_bindings,
    serialize_bindings,
    serialize_shape_bindings,
)

_JSON = "application/json"


def _encode_event(shape: Shape, value: Any) -> tuple[bytes, str]:
    return dump_json(JSON_CODEC.encode(shape, value)), _JSON


def _load_payload(body: bytes) -> Any:
    """A structure (or document) payload: any JSON value, not only an object."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SerializationException(f"Could not parse request body into json: {exc}") from exc


class RestJsonProtocol(Protocol):
    name = "rest-json"

    def parse_request(
        self, request: HttpRequest, operation: OperationModel, uri_params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        parsed = parse_bindings(request, operation, uri_params)
        params = parsed.params
        if parsed.body is None or parsed.body_shape is None:
            return params
        try:
            if parsed.body_member is not None:
                document = _load_payload(parsed.body)
                if document is not None:
                    params[parsed.body_member] = JSON_CODEC.decode(parsed.body_shape, document)
            else:
                document = load_json_object(parsed.body)
                codec = JSON_CODEC.members_codec(parsed.body_shape, parsed.body_members, decode=True)
                params.update(codec(document))
        except ShapeTypeError as exc:
            raise SerializationException(str(exc)) from exc
        return params

    def serialize_response(self, output: dict[str, Any], operation: OperationModel, request_id: str) -> HttpResponse:
        parts = serialize_bindings(output, operation)
        headers = parts.headers
        headers["x-amzn-requestid"] = request_id
        shape = operation.output_shape
        if shape is not None and shape.serialization.get("payload"):
            if parts.raw is not None:
                payload_type = shape.members[shape.serialization["payload"]].type_name
                default_type = "text/plain" if payload_type == "string" else "application/octet-stream"
                headers.setdefault("content-type", default_type)
                return HttpResponse(parts.status, headers, parts.raw)
            if parts.body_shape is not None and parts.body_shape.serialization.get("eventstream"):
                headers["content-type"] = event_stream.CONTENT_TYPE
                return HttpResponse(parts.status, headers,
                                    event_stream.encode_stream(parts.events(), parts.body_shape, _encode_event))
            if parts.body is None or parts.body_shape is None:
                return HttpResponse(parts.status, headers, b"")
            headers.setdefault("content-type", _JSON)
            return HttpResponse(parts.status, headers, dump_json(JSON_CODEC.encode(parts.body_shape, parts.body)))
        headers.setdefault("content-type", _JSON)
        if parts.body_shape is None or not parts.body:
            return HttpResponse(parts.status, headers, b"{}")
        return HttpResponse(parts.status, headers, dump_json(JSON_CODEC.encode(parts.body_shape, parts.body)))

    def serialize_error(
        self, error: ServiceError, service: ServiceModel, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        shape = error_shape(service, error.code)
        status = error_status(error, service)
        headers: dict[str, str] = {}
        if shape is not None and error.fields:
            headers = serialize_shape_bindings(error.fields, shape, status).headers
        headers["content-type"] = _JSON
        headers["x-amzn-requestid"] = request_id
        headers["x-amzn-errortype"] = error_type(error, shape, service)
        return HttpResponse(status, headers, dump_json(error_document(error, shape, JSON_CODEC, service)))


PROTOCOL = RestJsonProtocol()
