"""SNS subscription filter policies: parse and validate them as SNS does, then evaluate them.

A policy is compiled once (when a subscription's FilterPolicy is set) into a ``Policy``: a
tree of leaf paths, each with the list of conditions any one of which must match, and
``$or`` alternatives. The same evaluator serves both scopes: for ``MessageAttributes`` the
document is ``{name: value}`` built from the message attributes (String -> str, Number ->
float, String.Array -> its JSON list), for ``MessageBody`` it is the parsed JSON body.

Semantics (AWS's, as documented for SNS message filtering):

* every key of a policy must match (AND); the values in a key's array are alternatives (OR);
* ``$or`` takes a list of policies, at least one of which must match;
* a key whose document value is an array matches when any element matches;
* a missing key matches only ``{"exists": false}``; ``anything-but`` needs the key present;
* strings only match string rules and numbers only numeric rules (``"5"`` is not ``5``);
* operators: exact values, ``prefix``, ``suffix``, ``equals-ignore-case``, ``anything-but``
  (values, lists, prefix, suffix, equals-ignore-case), ``numeric`` ranges, ``exists``, ``cidr``.
"""

from __future__ import annotations

import ipaddress
import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hoarfrost.core.kit.documents import json_object

MAX_COMBINATIONS = 150
MAX_KEYS = 5
MAX_POLICY_BYTES = 256 * 1024

SCOPE_ATTRIBUTES = "MessageAttributes"
SCOPE_BODY = "MessageBody"
SCOPES = (SCOPE_ATTRIBUTES, SCOPE_BODY)

_PREFIX = "Invalid parameter: FilterPolicy: "


class FilterPolicyError(ValueError):
    """An invalid filter policy; ``message`` is the full text SNS answers with InvalidParameter."""

    def __init__(self, detail: str, *, full: bool = False) -> None:
        self.message = detail if full else _PREFIX + detail
        super().__init__(self.message)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# SNS compares numbers as AWS's event matching does: within -1e9..1e9, to 5 decimal places.
NUMBER_LIMIT = 1_000_000_000
NUMBER_SCALE = 100_000
_RANGE_MESSAGE = "Value must be between -1.0E9 and 1.0E9, inclusive"


def comparable(value: Any) -> int | None:
    """A number as SNS compares it: its value in steps of 1e-5 (digits past the fifth decimal
    place do not count), or None outside AWS's range, where it matches no numeric condition."""
    if not _is_number(value) or not math.isfinite(value) or not -NUMBER_LIMIT <= value <= NUMBER_LIMIT:
        return None
    return math.floor(Decimal(repr(value)) * NUMBER_SCALE)


def _policy_number(value: Any) -> int:
    """A number written in a policy, which must lie in AWS's range."""
    number = comparable(value)
    if number is None:
        raise FilterPolicyError(_RANGE_MESSAGE)
    return number


# -- conditions ------------------------------------------------------------------------------
class Condition:
    """One entry of a key's value array. ``matches`` sees one present leaf value."""

    def matches(self, value: Any) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class Exact(Condition):
    value: Any

    def matches(self, value: Any) -> bool:
        expected = self.value
        if _is_number(expected):
            number = comparable(value)
            return number is not None and number == comparable(expected)
        if isinstance(expected, bool) or expected is None:
            return value is expected
        return isinstance(value, str) and value == expected


@dataclass(frozen=True)
class Prefix(Condition):
    prefix: str
    ignore_case: bool = False

    def matches(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        if self.ignore_case:
            return value.casefold().startswith(self.prefix.casefold())
        return value.startswith(self.prefix)


@dataclass(frozen=True)
class Suffix(Condition):
    suffix: str
    ignore_case: bool = False

    def matches(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        if self.ignore_case:
            return value.casefold().endswith(self.suffix.casefold())
        return value.endswith(self.suffix)


@dataclass(frozen=True)
class EqualsIgnoreCase(Condition):
    text: str

    def matches(self, value: Any) -> bool:
        return isinstance(value, str) and value.casefold() == self.text.casefold()


@dataclass(frozen=True)
class AnythingBut(Condition):
    """Matches a present value that none of ``excluded`` matches."""

    excluded: tuple[Condition, ...]

    def matches(self, value: Any) -> bool:
        return not any(condition.matches(value) for condition in self.excluded)


@dataclass(frozen=True)
class Numeric(Condition):
    """A numeric range; bounds are ``comparable`` numbers (steps of 1e-5)."""

    lower: int | None = None
    lower_inclusive: bool = False
    upper: int | None = None
    upper_inclusive: bool = False

    def matches(self, value: Any) -> bool:
        number = comparable(value)
        if number is None:
            return False
        if self.lower is not None and (number < self.lower or (number == self.lower and not self.lower_inclusive)):
            return False
        if self.upper is not None and (number > self.upper or (number == self.upper and not self.upper_inclusive)):
            return False
        return True


@dataclass(frozen=True)
class Exists(Condition):
    present: bool

    def matches(self, value: Any) -> bool:
        return self.present


@dataclass(frozen=True)
class Cidr(Condition):
    network: ipaddress.IPv4Network | ipaddress.IPv6Network

    def matches(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return ipaddress.ip_address(value) in self.network
        except ValueError:
            return False


# -- the compiled policy ---------------------------------------------------------------------
@dataclass
class Policy:
    """Leaf paths that must all match, and ``$or`` groups of which one alternative must match."""

    leaves: dict[tuple[str, ...], tuple[Condition, ...]] = field(default_factory=dict)
    alternatives: list[Policy] = field(default_factory=list)

    def matches(self, document: Any) -> bool:
        for path, conditions in self.leaves.items():
            if not _leaf_matches(conditions, values_at(document, path)):
                return False
        if self.alternatives:
            return any(alternative.matches(document) for alternative in self.alternatives)
        return True

    def combinations(self) -> int:
        total = 1
        for conditions in self.leaves.values():
            total *= len(conditions)
        if self.alternatives:
            total *= sum(alternative.combinations() for alternative in self.alternatives)
        return total

    def key_count(self) -> int:
        extra = max((alternative.key_count() for alternative in self.alternatives), default=0)
        return len(self.leaves) + extra


def _leaf_matches(conditions: tuple[Condition, ...], values: list[Any]) -> bool:
    if not values:
        return any(isinstance(condition, Exists) and not condition.present for condition in conditions)
    for condition in conditions:
        if isinstance(condition, Exists):
            if condition.present:
                return True
            continue
        for value in values:
            if condition.matches(value):
                return True
    return False


def values_at(document: Any, path: tuple[str, ...]) -> list[Any]:
    """The leaf values at ``path``; arrays on the way (and at the end) are flattened."""
    current: list[Any] = [document]
    for key in path:
        found: list[Any] = []
        for item in current:
            if isinstance(item, dict) and key in item:
                _flatten_into(item[key], found)
        if not found:
            return found
        current = found
    return [value for value in current if not isinstance(value, dict)]


def _flatten_into(value: Any, out: list[Any]) -> None:
    if isinstance(value, list):
        for item in value:
            _flatten_into(item, out)
    else:
        out.append(value)


# -- parsing and validation ------------------------------------------------------------------
def parse(text: str, scope: str = SCOPE_ATTRIBUTES) -> Policy:
    """Compile a FilterPolicy string, raising ``FilterPolicyError`` with SNS's message."""
    if len(text.encode("utf-8")) > MAX_POLICY_BYTES:
        raise FilterPolicyError("Filter policy is too large")
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise FilterPolicyError(f"failed to parse JSON. {exc}") from exc
    if not isinstance(document, dict):
        raise FilterPolicyError("Filter policy must be a JSON object")
    policy = _parse_object(document, (), scope)
    if policy.key_count() > MAX_KEYS:
        raise FilterPolicyError(f"Filter policy can not have more than {MAX_KEYS} keys")
    if policy.combinations() > MAX_COMBINATIONS:
        raise FilterPolicyError("Filter policy is too complex")
    return policy


def _parse_object(document: dict[str, Any], prefix: tuple[str, ...], scope: str) -> Policy:
    policy = Policy()
    _collect(document, prefix, scope, policy)
    return policy


def _collect(document: dict[str, Any], prefix: tuple[str, ...], scope: str, policy: Policy) -> None:
    for key, value in document.items():
        if key == "$or":
            policy.alternatives.extend(_parse_or(value, prefix, scope))
            continue
        path = (*prefix, key)
        if isinstance(value, list):
            policy.leaves[path] = _parse_conditions(key, value)
        elif isinstance(value, dict):
            if scope == SCOPE_ATTRIBUTES:
                raise FilterPolicyError(
                    "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy",
                    full=True,
                )
            if not value:
                raise FilterPolicyError(f'"{key}" must be an object or an array')
            _collect(value, path, scope, policy)
        else:
            raise FilterPolicyError(f'"{key}" must be an object or an array')


def _parse_or(value: Any, prefix: tuple[str, ...], scope: str) -> list[Policy]:
    if not isinstance(value, list) or len(value) < 2:
        raise FilterPolicyError("Or relationship must have at least two items")
    alternatives = []
    for item in value:
        if not isinstance(item, dict) or not item:
            raise FilterPolicyError("Or relationship items must be non-empty objects")
        alternatives.append(_parse_object(item, prefix, scope))
    return alternatives


def _parse_conditions(key: str, values: list[Any]) -> tuple[Condition, ...]:
    if not values:
        raise FilterPolicyError("Empty arrays are not allowed")
    return tuple(_parse_condition(item) for item in values)


def _parse_condition(item: Any) -> Condition:
    if isinstance(item, dict):
        return _parse_operator(item)
    if isinstance(item, list):
        raise FilterPolicyError("Match value must be String, number, true, false, or null")
    if _is_number(item) and not math.isfinite(item):
        raise FilterPolicyError("Match value must be String, number, true, false, or null")
    if _is_number(item):
        _policy_number(item)
    return Exact(item)


def _parse_operator(item: dict[str, Any]) -> Condition:
    if len(item) != 1:
        raise FilterPolicyError("Only one key allowed in match expression")
    (operator, operand), = item.items()
    parser = _OPERATORS.get(operator)
    if parser is None:
        raise FilterPolicyError(f"Unrecognized match type {operator}")
    return parser(operand)


def _string_operand(name: str, operand: Any) -> str:
    if not isinstance(operand, str):
        raise FilterPolicyError(f"{name} match pattern must be a string")
    return operand


def _parse_prefix(operand: Any) -> Condition:
    if isinstance(operand, dict) and set(operand) == {"equals-ignore-case"}:
        return Prefix(_string_operand("prefix", operand["equals-ignore-case"]), ignore_case=True)
    return Prefix(_string_operand("prefix", operand))


def _parse_suffix(operand: Any) -> Condition:
    if isinstance(operand, dict) and set(operand) == {"equals-ignore-case"}:
        return Suffix(_string_operand("suffix", operand["equals-ignore-case"]), ignore_case=True)
    return Suffix(_string_operand("suffix", operand))


def _parse_equals_ignore_case(operand: Any) -> Condition:
    return EqualsIgnoreCase(_string_operand("equals-ignore-case", operand))


def _parse_exists(operand: Any) -> Condition:
    if not isinstance(operand, bool):
        raise FilterPolicyError("exists match pattern must be either true or false.")
    return Exists(operand)


def _parse_cidr(operand: Any) -> Condition:
    try:
        return Cidr(ipaddress.ip_network(_string_operand("cidr", operand), strict=False))
    except ValueError as exc:
        raise FilterPolicyError(f"Malformed CIDR, one '/' required: {operand}") from exc


_ANYTHING_BUT_MESSAGE = "Value of anything-but must be an array or single string/number value."


def _parse_anything_but(operand: Any) -> Condition:
    if isinstance(operand, dict):
        if len(operand) != 1:
            raise FilterPolicyError(_ANYTHING_BUT_MESSAGE)
        (operator, inner), = operand.items()
        if operator == "prefix":
            return AnythingBut((Prefix(_string_operand("prefix", inner)),))
        if operator == "suffix":
            return AnythingBut((Suffix(_string_operand("suffix", inner)),))
        if operator == "equals-ignore-case":
            texts = inner if isinstance(inner, list) else [inner]
            if not texts:
                raise FilterPolicyError(_ANYTHING_BUT_MESSAGE)
            return AnythingBut(tuple(EqualsIgnoreCase(_string_operand("equals-ignore-case", t)) for t in texts))
        raise FilterPolicyError(f"Unsupported anything-but pattern: {operator}")
    values = operand if isinstance(operand, list) else [operand]
    if not values or not all(isinstance(v, str) or _is_number(v) for v in values):
        raise FilterPolicyError(_ANYTHING_BUT_MESSAGE)
    for value in values:
        if _is_number(value):
            _policy_number(value)  # numbers excluded must lie in AWS's range too
    return AnythingBut(tuple(Exact(v) for v in values))


_LOWER = {">": False, ">=": True}
_UPPER = {"<": False, "<=": True}


def _parse_numeric(operand: Any) -> Condition:
    if not isinstance(operand, list) or not operand:
        raise FilterPolicyError("Value of numeric must be an array.")
    if len(operand) % 2 or len(operand) > 4:
        raise FilterPolicyError("Too many elements in numeric expression")
    pairs = [(operand[i], operand[i + 1]) for i in range(0, len(operand), 2)]
    condition: dict[str, Any] = {}
    for operator, number in pairs:
        if not isinstance(operator, str) or operator not in ("=", *_LOWER, *_UPPER):
            raise FilterPolicyError(f"Unrecognized numeric range operator: {operator}")
        if not _is_number(number):
            raise FilterPolicyError(f"Value of {operator} must be numeric")
        bound = _policy_number(number)
        if operator == "=":
            if len(pairs) != 1:
                raise FilterPolicyError("Too many elements in numeric expression")
            return Numeric(bound, True, bound, True)
        if operator in _LOWER:
            if "lower" in condition:
                raise FilterPolicyError(f"Bad numeric range operator: {operator}")
            condition["lower"], condition["lower_inclusive"] = bound, _LOWER[operator]
        else:
            if "upper" in condition:
                raise FilterPolicyError(f"Bad numeric range operator: {operator}")
            condition["upper"], condition["upper_inclusive"] = bound, _UPPER[operator]
    if "lower" in condition and "upper" in condition and condition["lower"] >= condition["upper"]:
        raise FilterPolicyError("Bottom must be less than top")
    return Numeric(**condition)


_OPERATORS = {
    "prefix": _parse_prefix,
    "suffix": _parse_suffix,
    "equals-ignore-case": _parse_equals_ignore_case,
    "anything-but": _parse_anything_but,
    "numeric": _parse_numeric,
    "exists": _parse_exists,
    "cidr": _parse_cidr,
}


# -- documents -------------------------------------------------------------------------------
def attributes_document(attributes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Message attributes (Publish's input shape) as the document a policy is evaluated on.

    Binary attributes are not filterable in SNS, so they are left out.
    """
    document: dict[str, Any] = {}
    for name, attribute in attributes.items():
        data_type = str(attribute.get("DataType", ""))
        value = attribute.get("StringValue")
        if data_type.startswith("Number"):
            if value is None:
                continue
            try:
                document[name] = float(value)
            except (TypeError, ValueError):
                continue
        elif data_type.startswith("String.Array"):
            try:
                document[name] = value if value is None else json.loads(value)
            except (TypeError, ValueError):
                document[name] = value
        elif data_type.startswith("String"):
            document[name] = value
    return document


def body_document(message: str) -> Any:
    """The message body as a policy document; a body that is not a JSON object matches nothing."""
    return json_object(message)


def matches(policy: Policy, scope: str, message: str, attributes: dict[str, dict[str, Any]]) -> bool:
    document = attributes_document(attributes) if scope == SCOPE_ATTRIBUTES else body_document(message)
    if document is None:
        return False
    return policy.matches(document)

