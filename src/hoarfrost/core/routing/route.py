"""The router's answer: which service, operation, protocol, region and key a request is for."""

from __future__ import annotations

from dataclasses import dataclass

from hoarfrost.core.errors import ServiceError


@dataclass(slots=True)
class Route:
    service: str  # botocore's service name ("sts", "s3", "sqs")
    operation: str  # botocore's operation name ("GetCallerIdentity")
    protocol: str  # the protocol the request came in ("query", "json", ...)
    region: str
    access_key: str | None
    uri_params: dict[str, str] | None = None  # rest protocols: decoded URI labels by member location name
    # The services the signing name and host pointed to: when several read the request the same
    # way (chime-sdk-voice and chime-sdk-meetings share TagResource's path and signing name),
    # only the resource it names tells them apart (``Router.alternatives``).
    candidates: tuple[str, ...] = ()


class RoutingError(ServiceError):
    """No service or operation matched. Carries what *was* identified, so the error can be
    answered in that service's protocol (``InvalidAction``, ``UnknownOperationException``)."""

    def __init__(self, message: str, *, code: str, service: str | None = None, protocol: str | None = None,
                 status: int = 400) -> None:
        super().__init__(message, code=code, status=status)
        self.service = service
        self.protocol = protocol
