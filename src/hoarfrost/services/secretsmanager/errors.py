"""Secrets Manager's errors: the model's classes, AccessDeniedException (sent, not modelled),
and the messages Secrets Manager words for the common cases."""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.errors import declare, model_errors

errors = model_errors("secretsmanager").extended(
    declare("AccessDeniedException", 400),
)

DELETED = "You can't perform this operation on the secret because it was marked for deletion."
REPLICA = "Operation not permitted on a replica secret. Call must be made in primary secret's region."


def not_found() -> ServiceError:
    return errors.ResourceNotFoundException("Secrets Manager can't find the specified secret.")


def value_not_found(kind: str, value: str) -> ServiceError:
    """No version answers the VersionId or staging label asked for."""
    return errors.ResourceNotFoundException(
        f"Secrets Manager can't find the specified secret value for {kind}: {value}")


def marked_for_deletion() -> ServiceError:
    return errors.InvalidRequestException(DELETED)


def on_replica() -> ServiceError:
    return errors.InvalidRequestException(REPLICA)


def invalid_parameter(message: str) -> ServiceError:
    return errors.InvalidParameterException(message)


def invalid_request(message: str) -> ServiceError:
    return errors.InvalidRequestException(message)
