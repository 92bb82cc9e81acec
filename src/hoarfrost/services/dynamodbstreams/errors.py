"""DynamoDB Streams' errors: the model's classes, and its not-found messages."""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.errors import model_errors

errors = model_errors("dynamodbstreams")


def stream_not_found(arn: str) -> ServiceError:
    return errors.ResourceNotFoundException(f"Requested resource not found: Stream: {arn} not found")
