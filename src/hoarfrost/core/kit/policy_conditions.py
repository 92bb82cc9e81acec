"""The Condition element: operators, the ``...IfExists`` suffix, the ``ForAnyValue:`` /
``ForAllValues:`` set qualifiers and ``Null``.

Semantics, as IAM evaluates them: a block's operators and keys are AND'ed, one key's values
OR'ed. A key absent from the request makes a positive operator false and a negated one
(``StringNotEquals``, ``NotIpAddress``...) true; ``IfExists`` makes any operator true then.
Without a qualifier a key with several values matches when any value does (a negated operator
when none does); ``ForAnyValue`` needs one value to satisfy the operator, ``ForAllValues`` every
value (vacuously true for an absent key). Policy values are prepared once, at parse time;
one that cannot be read as the operator's type (a number, a date, a CIDR) matches nothing.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import ipaddress
import math
import operator as op
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from hoarfrost.core.kit.policy_language import (
    SYNTAX_ERROR,
    Context,
    Pattern,
    PolicyError,
    Problem,
)

VENDOR_MESSAGE = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."

Test = Callable[[Any, str, Context], bool]


@dataclass(frozen=True, slots=True)
class _Family:
    """One operator: how a policy value is prepared and tested against one context value."""

    prepare: Callable[[str, bool], Any]  # (policy value, variables allowed) -> prepared or None
    test: Test
    negated: bool = False


# -- value readers ---------------------------------------------------------------------------
_EPOCH = re.compile(r"^-?\d+(\.\d+)?$")


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return None if math.isnan(number) else number  # NaN compares with nothing


def _date(text: str) -> dt.datetime | None:
    """ISO 8601 (date, date-time, with or without offset) or epoch seconds, as IAM reads dates."""
    text = text.strip()
    try:
        if _EPOCH.match(text):
            return dt.datetime.fromtimestamp(float(text), dt.UTC)
        moment = dt.datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _binary(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


# -- families --------------------------------------------------------------------------------
def _string(text: str, variables: bool) -> Pattern:
    return Pattern(text, variables=variables)


def _arn(text: str, variables: bool) -> Pattern:
    return Pattern(text, variables=variables, arn=True)


def _equals(pattern: Pattern, value: str, context: Context) -> bool:
    return pattern.fill(context) == value


def _equals_ignore_case(pattern: Pattern, value: str, context: Context) -> bool:
    filled = pattern.fill(context)
    return filled is not None and filled.casefold() == value.casefold()


def _like(pattern: Pattern, value: str, context: Context) -> bool:
    return pattern.matches(value, context)


def _arn_like(pattern: Pattern, value: str, context: Context) -> bool:
    return value.count(":") >= 5 and pattern.matches(value, context)


def _ordered(read: Callable[[str], Any], compare: Callable[[Any, Any], bool]
             ) -> tuple[Callable[[str, bool], Any], Test]:
    """Numeric and Date operators: both sides read as the type, then compared."""

    def prepare(text: str, variables: bool) -> Any:
        return read(text)

    def test(expected: Any, value: str, context: Context) -> bool:
        actual = read(value)
        return expected is not None and actual is not None and bool(compare(actual, expected))

    return prepare, test


def _bool(expected: str, value: str, context: Context) -> bool:
    return value.lower() == expected


def _binary_equals(expected: bytes | None, value: str, context: Context) -> bool:
    return expected is not None and _binary(value) == expected


def _in_network(network: Any, value: str, context: Context) -> bool:
    address = _address(value)
    return network is not None and address is not None and address.version == network.version and address in network


def _families() -> dict[str, _Family]:
    string, arn = _Family(_string, _equals), _Family(_arn, _arn_like)
    ignore_case, like = _Family(_string, _equals_ignore_case), _Family(_string, _like)
    families = {
        "stringequals": string, "stringequalsignorecase": ignore_case, "stringlike": like,
        "arnequals": arn, "arnlike": arn,
        "bool": _Family(lambda text, _: text.lower(), _bool),
        "binaryequals": _Family(lambda text, _: _binary(text), _binary_equals),
        "ipaddress": _Family(lambda text, _: _network(text), _in_network),
    }
    negations = {"stringnotequals": string, "stringnotequalsignorecase": ignore_case, "stringnotlike": like,
                 "arnnotequals": arn, "arnnotlike": arn, "notipaddress": families["ipaddress"]}
    for name, family in negations.items():
        families[name] = _Family(family.prepare, family.test, negated=True)
    comparisons = {"equals": op.eq, "lessthan": op.lt, "lessthanequals": op.le,
                   "greaterthan": op.gt, "greaterthanequals": op.ge}
    for prefix, read in (("numeric", _number), ("date", _date)):
        for suffix, compare in comparisons.items():
            families[prefix + suffix] = _Family(*_ordered(read, compare))
        families[prefix + "notequals"] = _Family(*_ordered(read, op.eq), negated=True)
    return families


_FAMILIES = _families()
_OPERATOR = re.compile(r"^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$", re.IGNORECASE)


class Quantifier(Enum):
    """How a multivalued key is compared: as one set (none), any value, or all values."""

    NONE = "none"
    ANY = "ForAnyValue"
    ALL = "ForAllValues"


_QUALIFIERS = {"foranyvalue": Quantifier.ANY, "forallvalues": Quantifier.ALL}


@dataclass(frozen=True, slots=True)
class Condition:
    """One (operator, key) pair of a Condition block with its prepared values."""

    operator: str
    key: str
    values: tuple[str, ...]
    quantifier: Quantifier
    if_exists: bool
    _family: _Family | None  # None: the Null operator
    _prepared: tuple[Any, ...]

    def holds(self, context: Context) -> bool:
        actual = context.get(self.key.lower())
        if self._family is None:
            absent = actual is None
            return any(wanted == absent for wanted in self._prepared)
        family = self._family
        if actual is None:
            if self.if_exists or self.quantifier is Quantifier.ALL:
                return True
            return family.negated and self.quantifier is Quantifier.NONE

        def hit(value: str) -> bool:
            return any(family.test(prepared, value, context) for prepared in self._prepared)

        if self.quantifier is Quantifier.NONE:
            return any(hit(value) for value in actual) != family.negated
        if self.quantifier is Quantifier.ANY:
            return any(hit(value) != family.negated for value in actual)
        return all(hit(value) != family.negated for value in actual)


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise PolicyError(SYNTAX_ERROR, Problem.CONDITION)


def _condition(operator: str, key: Any, raw: Any, variables: bool) -> Condition:
    named = _OPERATOR.match(operator)
    if named is None:
        raise PolicyError(f"Invalid Condition type : {operator}.", Problem.CONDITION)
    qualifier, base, if_exists = named.group(1), named.group(2).lower(), named.group(3) is not None
    quantifier = _QUALIFIERS[qualifier.lower()] if qualifier else Quantifier.NONE
    plain = not if_exists and quantifier is Quantifier.NONE
    if base not in _FAMILIES and not (base == "null" and plain):
        raise PolicyError(f"Invalid Condition type : {operator}.", Problem.CONDITION)
    if not isinstance(key, str) or ":" not in key:
        raise PolicyError(VENDOR_MESSAGE, Problem.CONDITION)
    values = tuple(_value_text(item) for item in (raw if isinstance(raw, list) else [raw]))
    if base == "null":
        prepared: tuple[Any, ...] = tuple(value.lower() == "true" for value in values)
        return Condition(operator, key, values, quantifier, if_exists, None, prepared)
    family = _FAMILIES[base]
    prepared = tuple(family.prepare(value, variables) for value in values)
    return Condition(operator, key, values, quantifier, if_exists, family, prepared)


def parse_conditions(block: Any, variables: bool) -> tuple[Condition, ...]:
    """A statement's Condition element; ``variables`` says whether ``${...}`` is a policy
    variable (version 2012-10-17) or literal text (2008-10-17)."""
    if not isinstance(block, dict):
        raise PolicyError(SYNTAX_ERROR, Problem.CONDITION)
    conditions: list[Condition] = []
    for operator, tests in block.items():
        if not isinstance(tests, dict):
            raise PolicyError(SYNTAX_ERROR, Problem.CONDITION)
        conditions.extend(_condition(operator, key, raw, variables) for key, raw in tests.items())
    return tuple(conditions)
