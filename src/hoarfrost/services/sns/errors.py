"""SNS's errors, one class per AWS code (the ``code`` of the error shape in botocore's model).

Messages follow what SNS sends: ``Invalid parameter: <Name>`` for InvalidParameter and the
fixed texts of the batch errors.
"""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError


class InvalidParameter(ServiceError):
    code = "InvalidParameter"
    status = 400


class ParameterValueInvalid(ServiceError):
    code = "ParameterValueInvalid"
    status = 400


class NotFound(ServiceError):
    code = "NotFound"
    status = 404


class ResourceNotFound(ServiceError):
    code = "ResourceNotFound"
    status = 404


class AuthorizationError(ServiceError):
    code = "AuthorizationError"
    status = 403


class EndpointDisabled(ServiceError):
    code = "EndpointDisabled"
    status = 400


class PlatformApplicationDisabled(ServiceError):
    code = "PlatformApplicationDisabled"
    status = 400


class OptedOut(ServiceError):
    code = "OptedOut"
    status = 400


class VerificationException(ServiceError):
    code = "VerificationException"
    status = 400


class TagLimitExceeded(ServiceError):
    code = "TagLimitExceeded"
    status = 400


class BatchEntryIdsNotDistinct(ServiceError):
    code = "BatchEntryIdsNotDistinct"
    status = 400


class TooManyEntriesInBatchRequest(ServiceError):
    code = "TooManyEntriesInBatchRequest"
    status = 400


class EmptyBatchRequest(ServiceError):
    code = "EmptyBatchRequest"
    status = 400


class InvalidBatchEntryId(ServiceError):
    code = "InvalidBatchEntryId"
    status = 400


class BatchRequestTooLong(ServiceError):
    code = "BatchRequestTooLong"
    status = 400


def invalid(detail: str) -> InvalidParameter:
    """``InvalidParameter`` with SNS's ``Invalid parameter: ...`` prefix."""
    return InvalidParameter(f"Invalid parameter: {detail}")
