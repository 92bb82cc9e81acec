"""IAM's errors: every code IAM sends is in its model (``errors.NoSuchEntityException`` answers
``NoSuchEntity``); this module words the messages IAM sends with them."""

from __future__ import annotations

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.errors import model_errors

errors = model_errors("iam")

# How IAM names each kind of entity in its NoSuchEntity / EntityAlreadyExists messages.
_NAMES = {"user": "user", "group": "group", "role": "role"}


def no_such_entity(kind: str, name: str) -> ServiceError:
    """``The user with name alice cannot be found.`` (and likewise for groups and roles)."""
    return errors.NoSuchEntityException(f"The {_NAMES.get(kind, kind)} with name {name} cannot be found.")


def already_exists(kind: str, name: str) -> ServiceError:
    """``User with name alice already exists.``"""
    return errors.EntityAlreadyExistsException(f"{_NAMES.get(kind, kind).capitalize()} with name {name} already "
                                               "exists.")


def no_such_inline_policy(kind: str, policy_name: str) -> ServiceError:
    return errors.NoSuchEntityException(f"The {kind} policy with name {policy_name} cannot be found.")


def delete_conflict(what: str) -> ServiceError:
    """``Cannot delete entity, must <what> first.``"""
    return errors.DeleteConflictException(f"Cannot delete entity, must {what} first.")


def invalid_input(message: str) -> ServiceError:
    return errors.InvalidInputException(message)


def quota(name: str, limit: int) -> ServiceError:
    """``Cannot exceed quota for AccessKeysPerUser: 2``."""
    return errors.LimitExceededException(f"Cannot exceed quota for {name}: {limit}")
