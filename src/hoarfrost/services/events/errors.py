"""EventBridge's errors: the model declares every code EventBridge sends except
``ValidationException`` (core's); this module words the messages it repeats."""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError, ValidationException
from hoarfrost.core.kit.errors import model_errors

errors = model_errors("events")


def validation(message: str) -> ServiceError:
    return ValidationException(message)


def bus_not_found(name: str) -> ServiceError:
    return errors.ResourceNotFoundException(f"Event bus {name} does not exist.")


def rule_not_found(name: str, bus: str) -> ServiceError:
    return errors.ResourceNotFoundException(f"Rule {name} does not exist on EventBus {bus}.")


def invalid_pattern(reason: str) -> ServiceError:
    return errors.InvalidEventPatternException(f"Event pattern is not valid. Reason: {reason}")
