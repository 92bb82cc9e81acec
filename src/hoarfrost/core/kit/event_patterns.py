"""The event-pattern language of EventBridge rules (also Lambda event-source filters and,
where the semantics agree, SNS payload filtering): compile a pattern once, match many events.

``compile_pattern(text_or_dict)`` validates the pattern as AWS's ruler does and returns an
``EventPattern`` whose ``matches(event)`` is a walk of the compiled tree (no re-parsing, no
regular expressions built per event). An invalid pattern raises ``PatternError`` whose
``reason`` is AWS's wording; a service wraps it in its own message (EventBridge:
``Event pattern is not valid. Reason: <reason>``).

Semantics, as AWS documents them and its ruler behaves:

* a pattern is a JSON object; a leaf is an array of alternatives (OR), fields are ANDed;
* an event array matches when any element matches; arrays of objects are matched element by
  element, so fields of one nested pattern must all match within the same element;
* a string never matches a number (``"5"`` is not ``5``); numbers compare as numbers
  (``300`` equals ``3.0e2``); ``null`` matches a present null only;
* a missing field matches only ``{"exists": false}``; ``anything-but`` needs a present value;
* match expressions: ``prefix`` / ``suffix`` (also with ``equals-ignore-case``),
  ``equals-ignore-case``, ``anything-but`` (a value, a list of strings or of numbers, or
  ``prefix`` / ``suffix`` / ``wildcard`` / ``equals-ignore-case``), ``numeric`` ranges
  (``=``, ``<``, ``<=``, ``>``, ``>=``, at most one range per expression, values within
  ±5e9 compared to six decimal places), ``exists``, ``cidr`` (IPv4 / IPv6), ``wildcard``
  (``*`` any run of characters, ``\\*`` and ``\\\\`` escapes), ``exact``, and ``$or``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["EventPattern", "PatternError", "compile_pattern"]

_FIVE_BILLION = 5_000_000_000.0
_OR = "$or"
# Match-expression names that cannot be field names inside $or (AWS's ruler reserves them).
_RESERVED_IN_OR = frozenset({"exact", "prefix", "suffix", "equals-ignore-case", "anything-but",
                             "numeric", "exists", "cidr", "wildcard"})
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_IPV6 = re.compile(r"^[0-9a-fA-F:]*:[0-9a-fA-F:.]*$")

Matcher = Callable[[Any], bool]  # sees one present leaf value (str, number, bool or None)


class PatternError(ValueError):
    """An invalid pattern; ``reason`` is AWS's description of what is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fold(text: str) -> str:
    return text.casefold()


# -- the compiled tree ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Leaf:
    """A field's array: alternatives, any one of which matching the field's values suffices."""

    matchers: tuple[Matcher, ...]
    exists: bool  # {"exists": true} is among the alternatives
    absent: bool  # {"exists": false} is among the alternatives

    def accepts(self, values: list[Any]) -> bool:
        if not values:
            return self.absent
        if self.exists:
            return True
        for value in values:
            for matcher in self.matchers:
                if matcher(value):
                    return True
        return False


@dataclass(frozen=True, slots=True)
class _Object:
    """A pattern object: every field must match, and one branch of each ``$or``."""

    fields: tuple[tuple[str, _Leaf | _Object], ...]
    ors: tuple[tuple[_Object, ...], ...]

    def accepts(self, event: Any) -> bool:
        """``event`` is the value at this object's path: a dict, a list of candidates, or
        anything else (then every field is absent)."""
        if isinstance(event, list):
            candidates = [item for item in _flatten(event) if isinstance(item, dict)]
            if candidates:
                return any(self._accepts_object(item) for item in candidates)
            event = None
        return self._accepts_object(event if isinstance(event, dict) else None)

    def _accepts_object(self, event: dict[str, Any] | None) -> bool:
        for name, node in self.fields:
            value = event.get(name, _MISSING) if event is not None else _MISSING
            if isinstance(node, _Leaf):
                if not node.accepts(_leaves(value)):
                    return False
            elif not node.accepts(None if value is _MISSING else value):
                return False
        for branches in self.ors:
            if not any(branch._accepts_object(event) for branch in branches):
                return False
        return True


_MISSING = object()


def _flatten(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if isinstance(item, list):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


def _leaves(value: Any) -> list[Any]:
    """The leaf values a field holds: a scalar, the scalars of an array (nested arrays
    flattened); objects are not leaves (their fields are, under a longer path)."""
    if value is _MISSING or isinstance(value, dict):
        return []
    if isinstance(value, list):
        return [item for item in _flatten(value) if not isinstance(item, dict)]
    return [value]


class EventPattern:
    """A compiled pattern; ``matches`` is cheap and thread-safe (the tree is immutable)."""

    __slots__ = ("_root", "source")

    def __init__(self, root: _Object, source: Any) -> None:
        self._root = root
        self.source = source  # the parsed pattern, as given

    def matches(self, event: Mapping[str, Any]) -> bool:
        return self._root.accepts(dict(event) if not isinstance(event, dict) else event)


def compile_pattern(pattern: str | bytes | Mapping[str, Any]) -> EventPattern:
    """Validate ``pattern`` (JSON text or an already parsed object) and compile it."""
    if isinstance(pattern, (str, bytes)):
        try:
            document = json.loads(pattern)
        except ValueError as exc:
            raise PatternError(_json_reason(exc)) from None
    else:
        document = pattern
    if not isinstance(document, Mapping):
        raise PatternError("Filter is not an object")
    return EventPattern(_compile_object(document, in_or=False), document)


def _json_reason(exc: ValueError) -> str:
    message = getattr(exc, "msg", str(exc))
    return f"Unexpected character or malformed JSON ({message})"


# -- compiling -----------------------------------------------------------------------------------
def _compile_object(document: Mapping[str, Any], *, in_or: bool) -> _Object:
    if not document:
        raise PatternError("Empty objects are not allowed")
    fields: list[tuple[str, _Leaf | _Object]] = []
    ors: list[tuple[_Object, ...]] = []
    for name, value in document.items():
        if name == _OR:
            ors.append(_compile_or(value))
            continue
        if in_or and name in _RESERVED_IN_OR:
            raise PatternError(f"{name} is Ruler reserved fieldName which cannot be used inside $or.")
        if isinstance(value, Mapping):
            fields.append((name, _compile_object(value, in_or=in_or)))
        elif isinstance(value, list):
            fields.append((name, _compile_leaf(value)))
        else:
            raise PatternError(f'"{name}" must be an object or an array')
    return _Object(tuple(fields), tuple(ors))


def _compile_or(value: Any) -> tuple[_Object, ...]:
    if not isinstance(value, list):
        raise PatternError("It must be an Array followed with $or.")
    branches = []
    for item in value:
        if not isinstance(item, Mapping):
            raise PatternError("Only JSON object is allowed in array of $or relationship.")
        branches.append(_compile_object(item, in_or=True))
    if len(branches) < 2:
        raise PatternError("There must have at least 2 Objects in $or relationship.")
    return tuple(branches)


def _compile_leaf(values: list[Any]) -> _Leaf:
    matchers: list[Matcher] = []
    exists = absent = False
    for value in values:
        if isinstance(value, Mapping):
            if len(value) == 1 and "exists" in value:
                flag = value["exists"]
                if flag is True:
                    exists = True
                elif flag is False:
                    absent = True
                else:
                    raise PatternError("exists match pattern must be either true or false.")
                continue
            matchers.append(_compile_expression(value))
        elif isinstance(value, str):
            matchers.append(_exact_string(value))
        elif _is_number(value):
            matchers.append(_exact_number(value))
        elif value is None or isinstance(value, bool):
            matchers.append(_exact_literal(value))
        else:
            raise PatternError("Match value must be String, number, true, false, or null")
    if not values:
        raise PatternError("Empty arrays are not allowed")
    return _Leaf(tuple(matchers), exists, absent)


def _only_key(expression: Mapping[str, Any]) -> tuple[str, Any]:
    if not expression:
        raise PatternError("Match expression name not found")
    name, operand = next(iter(expression.items()))
    if len(expression) > 1:
        if name == "numeric" or name == "anything-but":
            raise PatternError("Too many elements in numeric expression")
        raise PatternError("Only one key allowed in match expression")
    return name, operand


def _compile_expression(expression: Mapping[str, Any]) -> Matcher:
    name, operand = _only_key(expression)
    if name == "exact":
        return _exact_string(_string(operand, "exact match pattern must be a string"))
    if name in ("prefix", "suffix"):
        return _affix(name, operand)
    if name == "equals-ignore-case":
        folded = _fold(_string(operand, "equals-ignore-case match pattern must be a string"))
        return lambda v: isinstance(v, str) and _fold(v) == folded
    if name == "wildcard":
        regex = _wildcard(_string(operand, "wildcard match pattern must be a string"))
        return lambda v: isinstance(v, str) and regex.fullmatch(v) is not None
    if name == "numeric":
        return _numeric(operand)
    if name == "anything-but":
        return _anything_but(operand)
    if name == "cidr":
        return _cidr(_string(operand, "prefix match pattern must be a string"))
    if name == "exists":  # inside a longer expression object (already handled alone)
        raise PatternError("Only one key allowed in match expression")
    raise PatternError(f"Unrecognized match type {name}")


def _string(operand: Any, reason: str) -> str:
    if not isinstance(operand, str):
        raise PatternError(reason)
    return operand


def _exact_string(text: str) -> Matcher:
    address = _ip(text)
    if address is not None:  # an IP literal matches the same address however it is written
        return lambda v: v == text or (isinstance(v, str) and _ip(v) == address)
    return lambda v: isinstance(v, str) and v == text


def _exact_number(number: float) -> Matcher:
    key = _comparable(number) if -_FIVE_BILLION <= number <= _FIVE_BILLION else None

    def match(v: Any) -> bool:
        if not _is_number(v):
            return False
        if v == number:
            return True
        return key is not None and -_FIVE_BILLION <= v <= _FIVE_BILLION and _comparable(v) == key

    return match


def _exact_literal(literal: bool | None) -> Matcher:
    return lambda v: v is literal


def _comparable(number: float) -> int:
    """AWS compares numbers to six decimal places."""
    return round((number + _FIVE_BILLION) * 1_000_000)


def _affix(name: str, operand: Any) -> Matcher:
    if isinstance(operand, Mapping) and len(operand) == 1 and "equals-ignore-case" in operand:
        text = _fold(_string(operand["equals-ignore-case"], f"{name} match pattern must be a string"))
        if name == "prefix":
            return lambda v: isinstance(v, str) and _fold(v).startswith(text)
        return lambda v: isinstance(v, str) and _fold(v).endswith(text)
    text = _string(operand, f"{name} match pattern must be a string")
    if name == "prefix":
        return lambda v: isinstance(v, str) and v.startswith(text)
    return lambda v: isinstance(v, str) and v.endswith(text)


def _wildcard(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    i = 0
    previous_star = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            following = pattern[i + 1] if i + 1 < len(pattern) else ""
            if following not in ("*", "\\"):
                raise PatternError(f"Invalid escape character at pos {i}")
            parts.append(re.escape(following))
            previous_star = False
            i += 2
            continue
        if char == "*":
            if previous_star:
                raise PatternError(f"Consecutive wildcard characters at pos {i}")
            parts.append(".*")
            previous_star = True
        else:
            parts.append(re.escape(char))
            previous_star = False
        i += 1
    return re.compile("".join(parts), re.DOTALL)


# numeric ------------------------------------------------------------------------------------------
def _bound(value: Any, operator: str) -> float:
    if not _is_number(value):
        raise PatternError(f"Value of {'equals' if operator == '=' else operator} must be numeric")
    if not -_FIVE_BILLION <= value <= _FIVE_BILLION:
        raise PatternError("Value must be between -5.0E9 and 5.0E9, inclusive")
    return float(value)


def _numeric(operand: Any) -> Matcher:
    if not isinstance(operand, list):
        raise PatternError("Value of numeric must be an array.")
    if not operand or not isinstance(operand[0], str):
        raise PatternError(f"Invalid member in numeric match: {_text(operand[0]) if operand else ']'}")
    operator = operand[0]
    if operator not in ("=", ">", ">=", "<", "<="):
        raise PatternError(f"Unrecognized numeric range operator: {operator}")
    if len(operand) < 2:
        raise PatternError(f"Value of {'equals' if operator == '=' else operator} must be numeric")
    first = _bound(operand[1], operator)
    low: tuple[int, bool] | None = None  # (comparable, inclusive)
    high: tuple[int, bool] | None = None
    if operator == "=":
        if len(operand) > 2:
            raise PatternError("Too many elements in numeric expression")
        low = high = (_comparable(first), True)
    elif operator in ("<", "<="):
        if len(operand) > 2:
            raise PatternError("Too many elements in numeric expression")
        high = (_comparable(first), operator == "<=")
    else:
        low = (_comparable(first), operator == ">=")
        if len(operand) > 2:
            second = operand[2]
            if not isinstance(second, str):
                raise PatternError(f"Bad value in numeric range: {_text(second)}")
            if second not in ("<", "<="):
                raise PatternError(f"Bad numeric range operator: {second}")
            if len(operand) < 4:
                raise PatternError(f"Value of {second} must be numeric")
            top = _bound(operand[3], second)
            if len(operand) > 4:
                raise PatternError("Too many terms in numeric range expression")
            if top <= first:
                raise PatternError("Bottom must be less than top")
            high = (_comparable(top), second == "<=")

    def match(v: Any) -> bool:
        if not _is_number(v) or not -_FIVE_BILLION <= v <= _FIVE_BILLION:
            return False
        key = _comparable(v)
        if low is not None and (key < low[0] or (key == low[0] and not low[1])):
            return False
        return high is None or key < high[0] or (key == high[0] and high[1])

    return match


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


# anything-but -------------------------------------------------------------------------------------
def _anything_but(operand: Any) -> Matcher:
    if isinstance(operand, Mapping):
        if not operand:
            raise PatternError("Anything-But expression name not found")
        if len(operand) > 1:
            raise PatternError("Only one key allowed in match expression")
        name, inner = next(iter(operand.items()))
        if name == "equals-ignore-case":
            texts = _string_list(inner, "Inside anything-but/equals-ignore-case list, "
                                        "number|start|null|boolean is not supported.")
            folded = frozenset(_fold(t) for t in texts)
            return lambda v: not (isinstance(v, str) and _fold(v) in folded)
        if name not in ("prefix", "suffix", "wildcard"):
            raise PatternError(f"Unsupported anything-but pattern: {name}")
        texts = _string_list(inner, "prefix/suffix match pattern must be a string")
        if name != "wildcard" and any(not t for t in texts):
            raise PatternError("Null prefix/suffix not allowed")
        if name == "prefix":
            prefixes = tuple(texts)
            return lambda v: not (isinstance(v, str) and v.startswith(prefixes))
        if name == "suffix":
            suffixes = tuple(texts)
            return lambda v: not (isinstance(v, str) and v.endswith(suffixes))
        regexes = tuple(_wildcard(t) for t in texts)
        return lambda v: not (isinstance(v, str) and any(r.fullmatch(v) for r in regexes))
    if isinstance(operand, str):
        return lambda v: v != operand or not isinstance(v, str)
    if _is_number(operand):
        key = _comparable(_bound(operand, "anything-but"))
        return lambda v: _is_number(v) and not (-_FIVE_BILLION <= v <= _FIVE_BILLION and _comparable(v) == key)
    if not isinstance(operand, list):
        raise PatternError("Value of anything-but must be an array or single string/number value.")
    strings: set[str] = set()
    numbers: set[int] = set()
    for item in operand:
        if isinstance(item, str):
            strings.add(item)
        elif _is_number(item):
            numbers.add(_comparable(_bound(item, "anything-but")))
        else:
            raise PatternError("Inside anything but list, start|null|boolean is not supported.")
    if bool(strings) == bool(numbers):
        raise PatternError("Inside anything but list, either all values are number or string, "
                           "mixed type is not supported")
    if numbers:
        frozen = frozenset(numbers)
        return lambda v: _is_number(v) and not (-_FIVE_BILLION <= v <= _FIVE_BILLION and _comparable(v) in frozen)
    frozen_strings = frozenset(strings)
    return lambda v: not (isinstance(v, str) and v in frozen_strings)


def _string_list(value: Any, reason: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or any(not isinstance(item, str) for item in items):
        raise PatternError(reason)
    return items


# cidr ---------------------------------------------------------------------------------------------
def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not (_IPV4.match(text) or _IPV6.match(text)):
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _cidr(text: str) -> Matcher:
    parts = text.split("/")
    if len(parts) != 2:
        raise PatternError("Malformed CIDR, one '/' required")
    try:
        bits = int(parts[1])
    except ValueError:
        raise PatternError("Malformed CIDR, mask bits must be an integer") from None
    if bits < 0:
        raise PatternError("Malformed CIDR, mask bits must not be negative")
    base = _ip(parts[0])
    if base is None:
        raise PatternError(f"Nonstandard IP address: {parts[0]}")
    if base.version == 4 and bits > 31:
        raise PatternError("IPv4 mask bits must be < 32")
    if base.version == 6 and bits > 127:
        raise PatternError("IPv6 mask bits must be < 128")
    network = ipaddress.ip_network(f"{base}/{bits}", strict=False)

    def match(v: Any) -> bool:
        if not isinstance(v, str):
            return False
        address = _ip(v)
        return address is not None and address.version == network.version and address in network

    return match
