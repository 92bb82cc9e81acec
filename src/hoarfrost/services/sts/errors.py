"""STS's error codes, as the service sends them.

Codes come from botocore's model where it names them (``MalformedPolicyDocument``,
``InvalidIdentityToken``...); the rest (``ExpiredToken``, ``AccessDenied``,
``InvalidParameterValue``) are the codes STS sends without declaring them. Every STS error is a
Sender fault.
"""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.errors import ValidationError as ValidationError


class AccessDenied(ServiceError):
    code = "AccessDenied"
    status = 403


class ExpiredToken(ServiceError):
    """The request was signed with issued credentials whose Expiration has passed."""

    code = "ExpiredToken"
    status = 403

    def __init__(self, message: str = "The security token included in the request is expired") -> None:
        super().__init__(message)


class InvalidClientTokenId(ServiceError):
    """A temporary access key signed without its own session token."""

    code = "InvalidClientTokenId"
    status = 403


class ExpiredTokenException(ServiceError):
    """A web identity token or SAML assertion that is past its expiry."""

    code = "ExpiredTokenException"
    status = 400


class InvalidParameterValue(ServiceError):
    code = "InvalidParameterValue"
    status = 400


class MalformedPolicyDocument(ServiceError):
    code = "MalformedPolicyDocument"
    status = 400


class PackedPolicyTooLarge(ServiceError):
    code = "PackedPolicyTooLarge"
    status = 400


class InvalidIdentityToken(ServiceError):
    code = "InvalidIdentityToken"
    status = 400


class InvalidAuthorizationMessage(ServiceError):
    code = "InvalidAuthorizationMessageException"
    status = 400


class ExpiredTradeInToken(ServiceError):
    code = "ExpiredTradeInTokenException"
    status = 400


class InvalidSubjectCredentials(ServiceError):
    code = "InvalidSubjectCredentials"
    status = 400


class InsufficientSessionLifetime(ServiceError):
    code = "InsufficientSessionLifetime"
    status = 400


class SessionDurationEscalation(ServiceError):
    code = "SessionDurationEscalationException"
    status = 403
