"""The ``json`` protocol (awsJson1_0 / awsJson1_1): SQS, DynamoDB, KMS, Logs, ...

Requests are ``POST /`` with ``X-Amz-Target: <prefix>.<Operation>`` and the whole input as a
JSON object; responses are the output as a JSON object with content type
``application/x-amz-json-<jsonVersion>``. Errors carry ``__type`` in the body and
``x-amzn-ErrorType`` in the headers; services migrated from the query protocol
(``awsQueryCompatible``: SQS, CloudWatch) also send ``x-amzn-query-error`` so old error codes
keep working in the SDKs.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from botocore.model import ServiceModel, Shape

from hoarfrost.core.errors import ServiceError
from hoarfrost.protocols import wire
from hoarfrost.protocols.json_shapes import (
    JSON_CODEC,
    SerializationException,
    error_type,
)
from hoarfrost.protocols.rpc_document import RpcDocumentProtocol


def _fallback(value: Any) -> Any:
    """Values a handler may leave inside a document or untyped field: encode them the way the
    JSON protocols encode their modeled counterparts instead of failing the response."""
    if isinstance(value, (bytes, bytearray)):
        return wire.b64encode(bytes(value))
    if isinstance(value, dt.datetime):
        return wire.format_timestamp(value, "unixTimestamp")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_fallback)


def load_json_object(body: bytes) -> dict[str, Any]:
    """A request body as a JSON object; empty means ``{}``. Raises ``SerializationException``."""
    if not body or not body.strip():
        return {}
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SerializationException(f"Could not parse request body into json: {exc}") from exc
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise SerializationException("Start of structure or map expected; the request body is not a JSON object")
    return document


def dump_json(document: Any) -> bytes:
    return _ENCODER.encode(document).encode("utf-8")


def content_type(service: ServiceModel) -> str:
    return f"application/x-amz-json-{service.metadata.get('jsonVersion', '1.0')}"


class JsonProtocol(RpcDocumentProtocol):
    name = "json"
    codec = JSON_CODEC

    def load(self, body: bytes) -> dict[str, Any]:
        return load_json_object(body)

    def dump(self, document: Any) -> bytes:
        return dump_json(document)

    def headers(self, service: ServiceModel, request_id: str) -> dict[str, str]:
        return {"content-type": content_type(service), "x-amzn-requestid": request_id}

    def error_headers(self, error: ServiceError, shape: Shape | None, service: ServiceModel,
                      request_id: str) -> dict[str, str]:
        headers = super().error_headers(error, shape, service, request_id)
        headers["x-amzn-errortype"] = error_type(error, shape, service)
        return headers


PROTOCOL = JsonProtocol()
