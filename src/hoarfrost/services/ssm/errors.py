"""SSM's errors (all in its model, AccessDeniedException aside) and the messages Parameter
Store words for the common cases."""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError, ValidationException
from hoarfrost.core.kit.errors import declare, model_errors

errors = model_errors("ssm").extended(
    declare("AccessDeniedException", 400),
)

BAD_NAME = ('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it '
            "can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, "
            "numbers and the following 3 symbols .-_")


def validation(message: str) -> ServiceError:
    return ValidationException(message)


def not_found(name: str) -> ServiceError:
    """ParameterNotFound: AWS sends it without a message (clients see ``null`` or nothing)."""
    return errors.ParameterNotFound("")


def version_not_found(name: str, selector: str) -> ServiceError:
    return errors.ParameterVersionNotFound(
        f"Systems Manager could not find version {selector} of {name}. Verify the version and try again.")
