"""What the RPC protocols whose whole input and output is one document share (``json`` and
``smithy-rpc-v2-cbor``): decode the body with a shape codec, encode the output, and answer
errors as a document plus headers. A subclass says only how its documents look on the wire."""

from __future__ import annotations

from typing import Any, ClassVar

from botocore.model import OperationModel, ServiceModel, Shape

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.http import HttpRequest, HttpResponse
from hoarfrost.protocols import event_stream
from hoarfrost.protocols.base import Protocol, error_shape, error_status
from hoarfrost.protocols.json_shapes import (
    BodyCodec,
    SerializationException,
    ShapeTypeError,
    error_document,
    query_error_header,
)


class RpcDocumentProtocol(Protocol):
    codec: ClassVar[BodyCodec]

    def load(self, body: bytes) -> dict[str, Any]:
        """The request body as a document (empty means ``{}``); ``SerializationException`` else."""
        raise NotImplementedError

    def dump(self, document: Any) -> bytes:
        raise NotImplementedError

    def headers(self, service: ServiceModel, request_id: str) -> dict[str, str]:
        raise NotImplementedError

    def error_headers(self, error: ServiceError, shape: Shape | None, service: ServiceModel,
                      request_id: str) -> dict[str, str]:
        headers = self.headers(service, request_id)
        if "awsQueryCompatible" in service.metadata:  # SQS, CloudWatch: the query-era codes too
            headers["x-amzn-query-error"] = query_error_header(error, shape)
        return headers

    def parse_request(
        self, request: HttpRequest, operation: OperationModel, uri_params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        document = self.load(request.body)
        shape = operation.input_shape
        if shape is None:
            return {}
        try:
            return self.codec.decode(shape, document)  # type: ignore[no-any-return]
        except ShapeTypeError as exc:
            raise SerializationException(str(exc)) from exc

    def serialize_response(self, output: dict[str, Any], operation: OperationModel, request_id: str) -> HttpResponse:
        shape = operation.output_shape
        stream = event_stream.stream_member(operation)
        if shape is not None and stream is not None:
            return self._event_stream_response(output, shape, stream, operation, request_id)
        document = self.codec.encode(shape, output) if shape is not None else {}
        return HttpResponse(200, self.headers(operation.service_model, request_id), self.dump(document))

    def _event_stream_response(self, output: dict[str, Any], shape: Shape, stream: str, operation: OperationModel,
                               request_id: str) -> HttpResponse:
        """The other output members travel in the ``initial-response`` event, then the events."""
        rest = {name: value for name, value in output.items() if name != stream}
        initial = self.dump(self.codec.encode(shape, rest))
        headers = self.headers(operation.service_model, request_id)
        headers["content-type"] = event_stream.CONTENT_TYPE
        body = event_stream.encode_stream(output.get(stream) or (), shape.members[stream], self._encode_event,
                                          initial=initial)
        return HttpResponse(200, headers, body)

    def _encode_event(self, shape: Shape, value: Any) -> tuple[bytes, str]:
        return self.dump(self.codec.encode(shape, value)), "application/json"

    def serialize_error(
        self, error: ServiceError, service: ServiceModel, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        shape = error_shape(service, error.code)
        body = self.dump(error_document(error, shape, self.codec, service))
        return HttpResponse(error_status(error, service), self.error_headers(error, shape, service, request_id), body)
