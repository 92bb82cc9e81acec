"""CloudWatch Logs' errors: every code it sends is in the model (``errors.ResourceNotFoundException``);
these helpers carry AWS's wording for the common ones."""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.errors import model_errors

errors = model_errors("logs")


def group_not_found() -> ServiceError:
    return errors.ResourceNotFoundException("The specified log group does not exist.")


def stream_not_found() -> ServiceError:
    return errors.ResourceNotFoundException("The specified log stream does not exist.")


def invalid(message: str) -> ServiceError:
    return errors.InvalidParameterException(message)
