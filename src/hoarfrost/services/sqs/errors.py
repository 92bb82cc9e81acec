"""SQS's errors: the model's (``errors.QueueDoesNotExist``), and the two codes SQS has always
sent without modelling them: on the json wire as ``InvalidParameterValueException`` and
``MissingRequiredParameterException``, with the query-era ``InvalidParameterValue`` and
``MissingParameter`` in ``x-amzn-query-error`` and on the query wire, as AWS sends them.

The model's classes carry the shape name as ``code`` (the json wire's ``__type``) and the
query-era code (``AWS.SimpleQueueService.NonExistentQueue``) as ``query_code``, restored into the
model by ``core.spec_patches``.
"""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.errors import declare, model_errors

errors = model_errors("sqs").extended(
    declare("InvalidParameterValueException", 400, query_code="InvalidParameterValue"),
    declare("MissingRequiredParameterException", 400, query_code="MissingParameter"),
)


def queue_does_not_exist() -> ServiceError:
    return errors.QueueDoesNotExist("The specified queue does not exist.")


def invalid_parameter(name: str, value: object, reason: str) -> ServiceError:
    """The message AWS sends for a parameter it rejects."""
    return errors.InvalidParameterValueException(f"Value {value} for parameter {name} is invalid. Reason: {reason}.")


def missing_parameter(name: str) -> ServiceError:
    return errors.MissingRequiredParameterException(f"The request must contain the parameter {name}.")
