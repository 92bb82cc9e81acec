"""CloudWatch's errors: every code it sends is in its model (``errors.InvalidParameterValueException``
answers ``InvalidParameterValue`` on the query wire); this module builds its usual messages.

CloudWatch names a member by its query path in messages (``MetricData.member.1.Value``), on
every protocol, so the helpers take that path.
"""

from __future__ import annotations

from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.errors import model_errors

errors = model_errors("cloudwatch")


def invalid_value(parameter: str, value: Any) -> ServiceError:
    """``InvalidParameterValue``: AWS's 'The value X for parameter Y is invalid.'"""
    return errors.InvalidParameterValueException(f"The value {value} for parameter {parameter} is invalid.")


def exclusive(first: str, second: str) -> ServiceError:
    return errors.InvalidParameterCombinationException(
        f"The parameters {first} and {second} are mutually exclusive and you have specified both.")


def missing(parameter: str) -> ServiceError:
    return errors.MissingRequiredParameterException(f"The parameter {parameter} is required.")


def validation(message: str) -> ServiceError:
    return errors.ValidationException(message)


def not_found(message: str) -> ServiceError:
    return errors.ResourceNotFound(message)


def bad_token() -> ServiceError:
    return errors.InvalidNextToken("The service couldn't process the NextToken because it is invalid.")
