"""DynamoDB's errors: the model's classes, and the message helpers for the validation errors
DynamoDB sends most (its exact wording, which applications and tests match on)."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.errors import ServiceError, ValidationException
from hoarfrost.core.kit.errors import model_errors

errors = model_errors("dynamodb")


def validation(message: str) -> ServiceError:
    """DynamoDB's ValidationException (the json protocol's code; the model does not list it)."""
    return ValidationException(message)


def invalid_parameter(message: str) -> ServiceError:
    return ValidationException(f"One or more parameter values were invalid: {message}")


def table_not_found(name: str | None = None) -> ServiceError:
    if name is None:
        return errors.ResourceNotFoundException("Requested resource not found")
    return errors.ResourceNotFoundException(f"Requested resource not found: Table: {name} not found")


def conditional_check_failed(item: dict[str, Any] | None = None) -> ServiceError:
    fields: dict[str, Any] = {"Item": item} if item is not None else {}
    return errors.ConditionalCheckFailedException("The conditional request failed", **fields)
