"""Kinesis's errors (all in the model) and the messages Kinesis words for the common cases."""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.errors import model_errors

errors = model_errors("kinesis")


def stream_not_found(name: str, account: str) -> ServiceError:
    return errors.ResourceNotFoundException(f"Stream {name} under account {account} not found.")


def shard_not_found(shard_id: str, name: str, account: str) -> ServiceError:
    return errors.ResourceNotFoundException(
        f"Could not find shard {shard_id} in stream {name} under account {account}.")


def consumer_not_found(what: str) -> ServiceError:
    return errors.ResourceNotFoundException(f"Consumer {what} not found.")


def invalid(message: str) -> ServiceError:
    return errors.InvalidArgumentException(message)


def validation(message: str) -> ServiceError:
    return errors.ValidationException(message)
