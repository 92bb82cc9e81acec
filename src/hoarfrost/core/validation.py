"""Input validation from the model's constraints, with the messages AWS's validators send.

AWS answers e.g. ``1 validation error detected: Value null at 'roleArn' failed to satisfy
constraint: Member must not be null``. The constraints (required, min/max, enum, pattern) are
read from botocore's shapes; nothing here knows an operation.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from botocore.model import OperationModel, Shape

from hoarfrost.core.errors import ServiceError

_MAX_REPORTED = 10


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


@lru_cache(maxsize=4096)
def _pattern(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:  # Java-only syntax (\p{...} and friends): not checked
        return None


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, (list, dict)):
        return "[" + ", ".join(map(str, value)) + "]" if isinstance(value, list) else str(value)
    return f"'{value}'"


def _check(value: Any, shape: Shape, path: str, errors: list[str]) -> None:
    meta = shape.metadata
    type_name = shape.type_name
    if type_name == "structure":
        if not isinstance(value, dict):
            return
        for name in shape.required_members:
            if value.get(name) is None:
                errors.append(f"Value null at '{_join(path, name)}' failed to satisfy constraint: "
                              "Member must not be null")
        members = shape.members
        for name, member_value in value.items():
            member = members.get(name)
            if member is not None and member_value is not None:
                _check(member_value, member, _join(path, name), errors)
        return
    if type_name == "string":
        if not isinstance(value, str):
            return
        enum = shape.enum
        if enum and value not in enum:
            errors.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(enum)}]"
            )
            return
        _length(value, meta, path, errors)
        pattern = meta.get("pattern")
        if pattern:
            compiled = _pattern(pattern)
            if compiled is not None and compiled.fullmatch(value) is None:
                errors.append(
                    f"Value '{value}' at '{path}' failed to satisfy constraint: "
                    f"Member must satisfy regular expression pattern: {pattern}"
                )
        return
    if type_name in ("integer", "long", "float", "double"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            low, high = meta.get("min"), meta.get("max")
            if low is not None and value < low:
                errors.append(f"Value '{value}' at '{path}' failed to satisfy constraint: "
                              f"Member must have value greater than or equal to {low}")
            elif high is not None and value > high:
                errors.append(f"Value '{value}' at '{path}' failed to satisfy constraint: "
                              f"Member must have value less than or equal to {high}")
        return
    if type_name == "list":
        if not isinstance(value, list):
            return
        _length(value, meta, path, errors)
        member = shape.member
        for index, item in enumerate(value, 1):
            if item is not None:
                _check(item, member, f"{path}.{index}.member", errors)
        return
    if type_name == "map":
        if isinstance(value, dict):
            _length(value, meta, path, errors)
            value_shape = shape.value
            for key, item in value.items():
                if item is not None:
                    _check(item, value_shape, f"{path}.{key}", errors)


def _length(value: Any, meta: dict[str, Any], path: str, errors: list[str]) -> None:
    low, high = meta.get("min"), meta.get("max")
    if low is not None and len(value) < low:
        errors.append(f"Value {_show(value)} at '{path}' failed to satisfy constraint: "
                      f"Member must have length greater than or equal to {low}")
    elif high is not None and len(value) > high:
        errors.append(f"Value {_show(value)} at '{path}' failed to satisfy constraint: "
                      f"Member must have length less than or equal to {high}")


def _join(path: str, name: str) -> str:
    return f"{path}.{_camel(name)}" if path else _camel(name)


def validation_errors(params: dict[str, Any], operation: OperationModel) -> list[str]:
    shape = operation.input_shape
    if shape is None:
        return []
    errors: list[str] = []
    _check(params, shape, "", errors)
    return errors


def validate_input(params: dict[str, Any], operation: OperationModel, code: str) -> None:
    """Raise the service's validation error listing what AWS would list."""
    shape = operation.input_shape
    if shape is None or (not params and not shape.required_members):
        return
    errors: list[str] = []
    _check(params, shape, "", errors)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise ServiceError(
            f"{count} validation {noun} detected: " + "; ".join(errors[:_MAX_REPORTED]), code=code, status=400
        )
