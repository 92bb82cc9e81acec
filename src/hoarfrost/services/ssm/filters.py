"""ParameterFilters (DescribeParameters, GetParametersByPath) and the older Filters, checked
as Parameter Store checks them and compiled once per request into one predicate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hoarfrost.services.ssm.errors import errors
from hoarfrost.services.ssm.state import Parameter, ParameterVersion

DEFAULT_KEY = "alias/aws/ssm"
Predicate = Callable[[Parameter], bool]

_OPTIONS = {"Name": ("Equals", "BeginsWith", "Contains"), "Path": ("OneLevel", "Recursive")}
_DEFAULT_OPTION = {"Path": "OneLevel"}


def _field(version: ParameterVersion, key: str) -> str:
    if key == "Type":
        return version.type
    if key == "KeyId":
        return (version.key_id or DEFAULT_KEY) if version.type == "SecureString" else ""
    if key == "Tier":
        return version.tier
    return version.data_type  # DataType


def _one(key: str, option: str, values: list[str]) -> Predicate:
    if key.startswith("tag:"):
        tag = key[4:]
        return lambda p: tag in p.tags and (not values or p.tags[tag] in values)
    if key == "Name":
        if option == "BeginsWith":
            return lambda p: any(p.name.startswith(v) for v in values)
        if option == "Contains":
            return lambda p: any(v in p.name for v in values)
        return lambda p: p.name in values
    if key == "Path":
        roots = [v.rstrip("/") + "/" for v in values]
        if option == "Recursive":
            return lambda p: any(p.name.startswith(root) for root in roots)
        return lambda p: any(p.name.startswith(root) and "/" not in p.name[len(root):] for root in roots)
    if key == "Label":
        return lambda p: any(p.with_label(v) is not None for v in values)
    return lambda p: _field(p.latest, key) in values


def compile_filters(filters: list[dict[str, Any]] | None, allowed: tuple[str, ...]) -> Predicate:
    """One predicate for ParameterFilters; ``allowed`` lists the keys this operation takes
    (``tag:`` keys always)."""
    predicates: list[Predicate] = []
    seen: set[str] = set()
    for item in filters or []:
        key = item["Key"]
        if not key.startswith("tag:") and key not in allowed:
            raise errors.InvalidFilterKey(f"The following filter key is not valid: {key}. Valid filter keys "
                                          f"include: [{', '.join(allowed)}].")
        if key in seen:
            raise errors.InvalidFilterKey(f"The following filter is duplicated in the request: {key}. A request can "
                                          "contain only one occurrence of a specific filter.")
        seen.add(key)
        option = item.get("Option") or _DEFAULT_OPTION.get(key, "Equals")
        valid = _OPTIONS.get(key, ("Equals",))
        if option not in valid:
            raise errors.InvalidFilterOption(f"The following filter option is not valid: {option}. Valid options "
                                             f"include: [{', '.join(valid)}].")
        values = list(item.get("Values") or [])
        if not values and not key.startswith("tag:"):
            raise errors.InvalidFilterValue(f"The following filter values are missing : null for filter key {key}.")
        if key == "Path" and any(not v.startswith("/") for v in values):
            raise errors.InvalidFilterValue("The parameter doesn't meet the parameter name requirements. The "
                                            'parameter name must begin with a forward slash "/".')
        predicates.append(_one(key, option, values))
    return lambda p: all(predicate(p) for predicate in predicates)


def compile_legacy(filters: list[dict[str, Any]] | None) -> Predicate:
    """DescribeParameters' older Filters: Name (a prefix), Type, KeyId."""
    predicates = [_legacy(item["Key"], list(item["Values"])) for item in filters or []]
    return lambda p: all(predicate(p) for predicate in predicates)


def _legacy(key: str, values: list[str]) -> Predicate:
    if key == "Name":
        return lambda p: any(p.name.startswith(v) for v in values)
    return lambda p: _field(p.latest, key) in values
