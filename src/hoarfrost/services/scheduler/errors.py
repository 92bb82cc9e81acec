"""EventBridge Scheduler's errors: every code it sends is in its model, so this module only
builds its messages (``Schedule x does not exist.``, ``Invalid Schedule Expression x.``)."""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.errors import model_errors

errors = model_errors("scheduler")


def invalid(message: str) -> ServiceError:
    return errors.ValidationException(message)


def schedule_not_found(name: str) -> ServiceError:
    return errors.ResourceNotFoundException(f"Schedule {name} does not exist.")


def group_not_found(name: str) -> ServiceError:
    return errors.ResourceNotFoundException(f"Schedule group {name} does not exist.")


def schedule_exists(name: str) -> ServiceError:
    return errors.ConflictException(f"Schedule {name} already exists.")


def group_exists(name: str) -> ServiceError:
    return errors.ConflictException(f"Schedule group {name} already exists.")
