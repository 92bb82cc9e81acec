"""KMS's errors: the model's classes, the codes KMS sends without modelling them
(``AccessDeniedException``, ``ValidationException``), and KMS's wording of the messages every
handler shares (a key that is disabled, pending deletion or pending import, a key usage that
does not fit the operation)."""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError, ValidationException
from hoarfrost.core.kit.errors import declare, model_errors

errors = model_errors("kms").extended(
    declare("AccessDeniedException", 400),
    messages={
        "InvalidCiphertextException": "",
        "DryRunOperationException": "The request would have succeeded, but the DryRun option is set.",
        "KMSInvalidSignatureException": "",
        "KMSInvalidMacException": "",
        "IncorrectKeyException": "The key ID in the request does not identify a CMK that can perform this operation.",
    },
)


def validation(message: str) -> ServiceError:
    return ValidationException(message)


def constraint(value: object, member: str, rule: str) -> ServiceError:
    """AWS's wording of a value outside a member's constraint (``pendingWindowInDays``)."""
    return ValidationException(f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
                               f"constraint: {rule}")


def key_not_found(arn: str) -> ServiceError:
    return errors.NotFoundException(f"Key '{arn}' does not exist")


def alias_not_found(arn: str) -> ServiceError:
    return errors.NotFoundException(f"Alias '{arn}' is not found.")


def disabled(arn: str) -> ServiceError:
    return errors.DisabledException(f"{arn} is disabled.")


def invalid_state(arn: str, state: str) -> ServiceError:
    words = {"PendingDeletion": "pending deletion", "PendingImport": "pending import",
             "PendingReplicaDeletion": "pending replica deletion"}
    return errors.KMSInvalidStateException(f"{arn} is {words.get(state, state)}.")


def wrong_usage(arn: str, usage: str, operation: str) -> ServiceError:
    return errors.InvalidKeyUsageException(f"{arn} key usage is {usage} which is not valid for {operation}.")


def unsupported_origin(arn: str, origin: str) -> ServiceError:
    return errors.UnsupportedOperationException(f"{arn} origin is {origin} which is not valid for this operation.")
