"""Lambda's errors: all from the model (``errors.ResourceNotFoundException``); helpers carry
AWS's wording for the ones every handler raises."""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.errors import model_errors

errors = model_errors("lambda")


def function_not_found(arn: str) -> ServiceError:
    return errors.ResourceNotFoundException(f"Function not found: {arn}")


def invalid(message: str) -> ServiceError:
    return errors.InvalidParameterValueException(message)


def conflict(message: str) -> ServiceError:
    return errors.ResourceConflictException(message)
