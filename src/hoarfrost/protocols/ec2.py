"""The EC2 protocol: the query protocol with EC2's own names and envelopes.

Differences from query, and nothing else: input names come from ``queryName`` or the
capitalised ``locationName``; lists are ``Name.N`` (never ``.member.``); the response has no
Result wrapper and carries ``<requestId>`` first; errors are
``<Response><Errors><Error>..</Error></Errors><RequestID>..</RequestID></Response>``.
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.http import HttpResponse
from hoarfrost.protocols import wire
from hoarfrost.protocols.base import error_status
from hoarfrost.protocols.query import (
    FormReader,
    QueryProtocol,
    _indexed,
    wire_error_code,
    write_error_fields,
)


def ec2_name(shape: Shape, default: str) -> str:
    """``queryName``, else the ``locationName`` with its first letter upper-cased, else the default."""
    serialization = shape.serialization
    name: str | None = serialization.get("queryName")
    if name:
        return name
    name = serialization.get("name")
    if name:
        return name[0].upper() + name[1:]
    return default


class Ec2FormReader(FormReader):
    def member_keys(self, member: Shape, name: str) -> tuple[str, ...]:
        return (ec2_name(member, name),)

    def list_items(self, shape: Shape, node: Any) -> list[tuple[int, Any]]:
        return _indexed(node)

    def map_names(self, shape: Shape) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return (ec2_name(shape.key, "key"),), (ec2_name(shape.value, "value"),)


class Ec2Protocol(QueryProtocol):
    name = "ec2"
    validation_error_code = "InvalidParameterValue"
    content_type = "text/xml;charset=UTF-8"

    def __init__(self) -> None:
        super().__init__()
        self.reader = Ec2FormReader(self.validation_error_code)

    def namespace(self, service: ServiceModel) -> str:
        namespace = super().namespace(service)
        return namespace if namespace.endswith("/") else namespace + "/"

    def serialize_response(self, output: dict[str, Any], operation: OperationModel, request_id: str) -> HttpResponse:
        name = operation.name
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<{name}Response xmlns="{self.namespace(operation.service_model)}">',
            f"<requestId>{wire.xml_escape(request_id)}</requestId>",
        ]
        shape = operation.output_shape
        if shape is not None:
            self.writer.members(shape, output, out)
        out.append(f"</{name}Response>")
        return HttpResponse(200, self._headers(request_id), "".join(out).encode("utf-8"))

    def serialize_error(
        self, error: ServiceError, service: ServiceModel, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        status = error_status(error, service)
        code, shape = wire_error_code(error, service)
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>',
            f"<Code>{wire.xml_escape(code)}</Code><Message>{wire.xml_escape(error.message)}</Message>",
        ]
        write_error_fields(self.writer, error, shape, out)
        out.append(f"</Error></Errors><RequestID>{wire.xml_escape(request_id)}</RequestID></Response>")
        return HttpResponse(status, self._headers(request_id), "".join(out).encode("utf-8"))


PROTOCOL = Ec2Protocol()
