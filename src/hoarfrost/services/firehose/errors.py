"""Firehose's errors (all in the model) and the messages Firehose words for the common cases."""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.errors import model_errors

errors = model_errors("firehose")


def not_found(name: str, account: str) -> ServiceError:
    return errors.ResourceNotFoundException(f"Firehose {name} under account {account} not found.")


def invalid(message: str) -> ServiceError:
    return errors.InvalidArgumentException(message)
