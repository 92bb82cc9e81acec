"""The interface every wire protocol implements, and the registry that finds one by name."""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from botocore.model import OperationModel, ServiceModel, Shape

from hoarfrost.core import catalog, spec_patches
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.http import HttpRequest, HttpResponse


class Protocol(ABC):
    """Parse a request into botocore-typed input, serialise output and errors.

    Implementations are driven by the botocore model alone (no per-operation code) and cache
    whatever they precompute per shape, so per-request work is look-ups.
    """

    name: ClassVar[str]
    # Code of the error a malformed or invalid request gets, unless the model says otherwise.
    validation_error_code: ClassVar[str] = "ValidationException"

    def validation_code(self, service: ServiceModel) -> str:
        """The code for a request that does not parse or validate: the (patched) model's
        ``validationErrorCode`` where it has one (S3's ``InvalidArgument``), else the protocol's."""
        code: str = service.metadata.get(spec_patches.VALIDATION_ERROR_CODE) or self.validation_error_code
        return code

    @abstractmethod
    def parse_request(
        self, request: HttpRequest, operation: OperationModel, uri_params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Wire -> input dict typed as botocore's shapes (datetimes, bytes, ints, ...).

        Raises ``ServiceError`` with the protocol's code for a body that does not parse or a
        value of the wrong type."""

    @abstractmethod
    def serialize_response(self, output: dict[str, Any], operation: OperationModel, request_id: str) -> HttpResponse:
        """Output dict -> the response the real service sends."""

    @abstractmethod
    def serialize_error(
        self, error: ServiceError, service: ServiceModel, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        """``ServiceError`` -> the error body, status and headers of this protocol."""


def error_shape(service: ServiceModel, code: str) -> Shape | None:
    return catalog.error_shapes(service.service_name).get(code)


def error_status(error: ServiceError, service: ServiceModel) -> int:
    """The error's own status, else the model's ``httpStatusCode`` for that code, else 400/500."""
    if error.status is not None:
        return error.status
    shape = error_shape(service, error.code)
    if shape is not None:
        status = shape.metadata.get("error", {}).get("httpStatusCode")
        if status:
            return int(status)
    return 400 if error.sender_fault else 500


_MODULES = {
    "query": "hoarfrost.protocols.query",
    "ec2": "hoarfrost.protocols.ec2",
    "json": "hoarfrost.protocols.json",
    "rest-json": "hoarfrost.protocols.rest_json",
    "rest-xml": "hoarfrost.protocols.rest_xml",
    "smithy-rpc-v2-cbor": "hoarfrost.protocols.rpc_v2_cbor",
}
_instances: dict[str, Protocol] = {}


def get_protocol(name: str) -> Protocol:
    """The protocol singleton for botocore's protocol name; each module exposes ``PROTOCOL``."""
    protocol = _instances.get(name)
    if protocol is None:
        module = _MODULES.get(name)
        if module is None:
            raise KeyError(f"unknown protocol {name!r}")
        protocol = importlib.import_module(module).PROTOCOL
        _instances[name] = protocol
    return protocol
