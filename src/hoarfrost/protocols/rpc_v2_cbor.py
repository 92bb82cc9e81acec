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
from botocore.model import ServiceModel

from hoarfrost.protocols.json_shapes import CBOR_CODEC, SerializationException
from hoarfrost.protocols.rpc_document import RpcDocumentProtocol

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


class RpcV2CborProtocol(RpcDocumentProtocol):
    name = "smithy-rpc-v2-cbor"
    codec = CBOR_CODEC

    def load(self, body: bytes) -> dict[str, Any]:
        return load_cbor_map(body)

    def dump(self, document: Any) -> bytes:
        return cbor2.dumps(document)

    def headers(self, service: ServiceModel, request_id: str) -> dict[str, str]:
        return {"smithy-protocol": "rpc-v2-cbor", "content-type": CONTENT_TYPE, "x-amzn-requestid": request_id}


PROTOCOL = RpcV2CborProtocol()
