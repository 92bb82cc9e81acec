"""The one exception a handler raises to answer an AWS error.

Services raise the classes generated from their model's error shapes (``core.kit.errors``),
the few codes a model lacks declared by hand, or ``ServiceError(code=..., message=...)``
directly. The protocol serialiser turns it
into the wire shape the real service sends; the HTTP status comes from the subclass, else from
the error shape in botocore's model, else 400.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    code: str = ""
    status: int | None = None
    sender_fault: bool = True
    # The awsQueryCompatible code (SQS's ``AWS.SimpleQueueService.NonExistentQueue``) when the
    # botocore model does not carry it as the error shape's ``error.code``; JSON-family
    # protocols send it in ``x-amzn-query-error``.
    query_code: str | None = None
    # The text sent when the raise site gives none (S3 answers every code with a fixed sentence).
    default_message: str = ""

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status: int | None = None,
        sender_fault: bool | None = None,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> None:
        message = message or self.default_message
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        elif not self.code:
            self.code = type(self).__name__
        if status is not None:
            self.status = status
        if sender_fault is not None:
            self.sender_fault = sender_fault
        # Extra members of the error shape (S3's BucketName, Key, ...), serialised beside Code.
        self.fields: dict[str, Any] = fields
        # Extra response headers (e.g. S3's x-amz-delete-marker on a 404 for a delete marker).
        self.headers: dict[str, str] = headers or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ValidationException(ServiceError):
    """The json / rest-json family's input validation error."""

    code = "ValidationException"
    status = 400


class ValidationError(ServiceError):
    """The query family's input validation error."""

    code = "ValidationError"
    status = 400


class NotImplementedOperation(ServiceError):
    """An operation botocore knows that hoarfrost has no handler for."""

    code = "NotImplemented"
    status = 501
    sender_fault = False


class InternalFailure(ServiceError):
    code = "InternalFailure"
    status = 500
    sender_fault = False


class UnknownService(ServiceError):
    """A request that no botocore service model claims."""

    code = "UnknownService"
    status = 400


_INVALID_TOKEN = "The security token included in the request is invalid."


def unrecognized_key(protocol: str, service: str) -> ServiceError:
    """What a service answers a request signed with an access key AWS does not accept (an IAM
    key made Inactive or deleted): the code differs by protocol family, the status is 403."""
    if service == "s3":
        return ServiceError("The AWS Access Key Id you provided does not exist in our records.",
                            code="InvalidAccessKeyId", status=403)
    if protocol == "ec2":
        return ServiceError("AWS was not able to validate the provided access credentials", code="AuthFailure",
                            status=401)
    if protocol == "query":
        return ServiceError(_INVALID_TOKEN, code="InvalidClientTokenId", status=403)
    return ServiceError(_INVALID_TOKEN, code="UnrecognizedClientException", status=403)
