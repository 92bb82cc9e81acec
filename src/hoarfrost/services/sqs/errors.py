"""SQS's errors, one class per AWS code.

``code`` is the error shape's name in botocore's (json) model, which json clients match on.
``query_code`` is the code the query protocol sends, and the json protocol announces in the
``x-amzn-query-error`` header (SQS is awsQueryCompatible; botocore then matches either).
botocore's current model no longer carries these codes, so they are declared here, beside the
behaviour that raises them. ``InvalidParameterValue`` and ``MissingParameter`` are codes the
service has always sent without modelling them.
"""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError


class SqsError(ServiceError):
    """Base of SQS's errors: every one is the sender's fault unless it says otherwise."""

    status = 400


class QueueDoesNotExist(SqsError):
    code = "QueueDoesNotExist"
    query_code = "AWS.SimpleQueueService.NonExistentQueue"


class QueueDeletedRecently(SqsError):
    code = "QueueDeletedRecently"
    query_code = "AWS.SimpleQueueService.QueueDeletedRecently"


class QueueNameExists(SqsError):
    code = "QueueNameExists"
    query_code = "QueueAlreadyExists"


class PurgeQueueInProgress(SqsError):
    code = "PurgeQueueInProgress"
    query_code = "AWS.SimpleQueueService.PurgeQueueInProgress"
    status = 403


class BatchEntryIdsNotDistinct(SqsError):
    code = "BatchEntryIdsNotDistinct"
    query_code = "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"


class BatchRequestTooLong(SqsError):
    code = "BatchRequestTooLong"
    query_code = "AWS.SimpleQueueService.BatchRequestTooLong"


class EmptyBatchRequest(SqsError):
    code = "EmptyBatchRequest"
    query_code = "AWS.SimpleQueueService.EmptyBatchRequest"


class InvalidBatchEntryId(SqsError):
    code = "InvalidBatchEntryId"
    query_code = "AWS.SimpleQueueService.InvalidBatchEntryId"


class TooManyEntriesInBatchRequest(SqsError):
    code = "TooManyEntriesInBatchRequest"
    query_code = "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"


class MessageNotInflight(SqsError):
    code = "MessageNotInflight"
    query_code = "AWS.SimpleQueueService.MessageNotInflight"


class UnsupportedOperation(SqsError):
    code = "UnsupportedOperation"
    query_code = "AWS.SimpleQueueService.UnsupportedOperation"


class ReceiptHandleIsInvalid(SqsError):
    code = "ReceiptHandleIsInvalid"
    query_code = "ReceiptHandleIsInvalid"


class InvalidAttributeName(SqsError):
    code = "InvalidAttributeName"
    query_code = "InvalidAttributeName"


class InvalidAttributeValue(SqsError):
    code = "InvalidAttributeValue"
    query_code = "InvalidAttributeValue"


class InvalidMessageContents(SqsError):
    code = "InvalidMessageContents"
    query_code = "InvalidMessageContents"


class OverLimit(SqsError):
    code = "OverLimit"
    query_code = "OverLimit"
    status = 403


class ResourceNotFoundException(SqsError):
    code = "ResourceNotFoundException"
    query_code = "ResourceNotFoundException"
    status = 404


class InvalidAddress(SqsError):
    code = "InvalidAddress"
    query_code = "InvalidAddress"
    status = 404


class InvalidParameterValue(SqsError):
    code = "InvalidParameterValue"
    query_code = "InvalidParameterValue"


class MissingParameter(SqsError):
    code = "MissingParameter"
    query_code = "MissingParameter"


def queue_does_not_exist() -> QueueDoesNotExist:
    return QueueDoesNotExist("The specified queue does not exist.")


def invalid_parameter(name: str, value: object, reason: str) -> InvalidParameterValue:
    """The message AWS sends for a parameter it rejects."""
    return InvalidParameterValue(f"Value {value} for parameter {name} is invalid. Reason: {reason}.")


def missing_parameter(name: str) -> MissingParameter:
    return MissingParameter(f"The request must contain the parameter {name}.")
