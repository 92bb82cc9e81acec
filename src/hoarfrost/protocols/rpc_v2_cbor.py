"""The ``smithy-rpc-v2-cbor`` protocol: CloudWatch, and the services moving to RPC v2.

Requests are ``POST /service/<ServiceName>/operation/<Operation>`` with the header
``smithy-protocol: rpc-v2-cbor`` and the input as a CBOR map; responses mirror that with
``application/cbor``. Timestamps travel as CBOR tag 1 (epoch seconds), blobs as byte
strings. Errors put ``__type`` and ``message`` in the CBOR body; query-compatible services
(CloudWatch) add ``x-amzn-query-error`` as in the json protocol.
"""

from __future__ import annotations

from typing import Any

import cbor2
from botocore.model import OperationModel, ServiceModel

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.http import HttpRequest, HttpResponse
from hoarfrost.protocols.base import Protocol, error_shape, error_status
from hoarfrost.protocols.json_shapes import (
    CBOR_CODEC,
    SerializationException,
    ShapeTypeError,
    error_document,
    query_error_header,
)

CONTENT_TYPE = "application/cbor"


def load_cbor_map(body: bytes) -> dict[str, Any]:
    """A request body as a CBOR map; empty means ``{}``. Raises ``SerializationException``."""
    if not body:
        return {}
    try:
        document = cbor2.loads(body)
    except (cbor2.CBORDecodeError, ValueError, TypeError, EOFError) as exc:
        raise SerializationException(f"Could not parse request body as CBOR: {exc}") from exc
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise SerializationException("The request body is not a CBOR map")
    return document


def _response_headers(request_id: str) -> dict[str, str]:
    return {"smithy-protocol": "rpc-v2-cbor", "content-type": CONTENT_TYPE, "x-amzn-requestid": request_id}


class RpcV2CborProtocol(Protocol):
    name = "smithy-rpc-v2-cbor"

    def parse_request(
        self, request: HttpRequest, operation: OperationModel, uri_params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        document = load_cbor_map(request.body)
        shape = operation.input_shape
        if shape is None:
            return {}
        try:
            return CBOR_CODEC.decode(shape, document)
        except ShapeTypeError as exc:
            raise SerializationException(str(exc)) from exc

    def serialize_response(self, output: dict[str, Any], operation: OperationModel, request_id: str) -> HttpResponse:
        shape = operation.output_shape
        document = CBOR_CODEC.encode(shape, output) if shape is not None else {}
        return HttpResponse(200, _response_headers(request_id), cbor2.dumps(document))

    def serialize_error(
        self, error: ServiceError, service: ServiceModel, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        shape = error_shape(service, error.code)
        headers = _response_headers(request_id)
        if "awsQueryCompatible" in service.metadata:
            headers["x-amzn-query-error"] = query_error_header(error, shape)
        body = cbor2.dumps(error_document(error, shape, CBOR_CODEC))
        return HttpResponse(error_status(error, service), headers, body)


PROTOCOL = RpcV2CborProtocol()
