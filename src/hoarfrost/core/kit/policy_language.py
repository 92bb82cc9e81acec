"""The lexical layer of the IAM policy language: its error, the request's condition context,
and wildcard patterns (``*`` / ``?``) with policy variables (``${aws:username}``).

Patterns are compiled when a policy is parsed; only a pattern that holds a variable is
completed per request, because its text depends on the request.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

# A condition context: lower-cased key name -> the key's values, as strings.
Context = Mapping[str, tuple[str, ...]]
# What a caller may put in a context: one value or several.
ContextScalar = str | bool | int | float | bytes | dt.datetime
ContextValue = ContextScalar | Iterable[ContextScalar]


class Problem(StrEnum):
    """What is wrong with a document, so a service can word it its own way (S3 does)."""

    JSON = "json"
    SYNTAX = "syntax"
    VERSION = "version"
    MISSING = "missing"
    EFFECT = "effect"
    PRINCIPAL = "principal"
    ACTION = "action"
    RESOURCE = "resource"
    CONDITION = "condition"
    SID = "sid"


class PolicyError(ValueError):
    """A policy document AWS would refuse. ``message`` is worded as IAM's MalformedPolicyDocument;
    ``problem`` (and ``field`` for a missing element) lets a service answer its own words."""

    def __init__(self, message: str, problem: Problem = Problem.SYNTAX, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problem = problem
        self.field = field


SYNTAX_ERROR = "Syntax errors in policy."


# -- context values ----------------------------------------------------------------------------
def context_string(value: ContextScalar) -> str:
    """How a typed context value reads to the policy language (booleans as ``true``/``false``,
    times as ISO 8601 UTC, bytes as base64), so operators only ever see strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return _time_text(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


# The last time formatted, by its epoch second: requests of one second share aws:CurrentTime's text.
_last_time: tuple[int, str] = (-1, "")


def _time_text(value: dt.datetime) -> str:
    """ISO 8601 UTC to the second; formatting is what costs, so one second's text is kept."""
    global _last_time
    moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    second = int(moment.timestamp() // 1)
    last = _last_time
    if last[0] == second:
        return last[1]
    text = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _last_time = (second, text)
    return text


def normalise_context(context: Mapping[str, ContextValue] | None) -> dict[str, tuple[str, ...]]:
    """Key names fold case (``aws:SourceArn`` is ``aws:sourcearn``); an empty list is no value.
    Called on every enforced request: plain strings, the common case, take the short way."""
    result: dict[str, tuple[str, ...]] = {}
    for key, value in (context or {}).items():
        if type(value) is str:
            values: tuple[str, ...] = (value,)
        elif isinstance(value, (str, bytes, bool, int, float, dt.datetime)):
            values = (context_string(value),)
        else:
            values = tuple(context_string(item) for item in value)
        if values:
            result[key.lower()] = values
    return result


# -- patterns ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Variable:
    key: str  # lower-cased context key
    default: str | None


@dataclass(frozen=True, slots=True)
class _Literal:
    """Text that matches itself even in a Like pattern: the ``${*}``, ``${?}``, ``${$}`` escapes."""

    text: str


_Part = str | _Literal | _Variable
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,]+?)\s*,\s*'([^']*)'\s*$")
_ARN_SEGMENTS = 6


def _parts(text: str, variables: bool) -> tuple[_Part, ...]:
    if not variables or "${" not in text:
        return (text,)
    parts: list[_Part] = []
    position = 0
    for found in _VARIABLE.finditer(text):
        if found.start() > position:
            parts.append(text[position:found.start()])
        inner = found.group(1)
        if inner in ("*", "?", "$"):
            parts.append(_Literal(inner))
        else:
            with_default = _DEFAULT.match(inner)
            if with_default:
                parts.append(_Variable(with_default.group(1).lower(), with_default.group(2)))
            else:
                parts.append(_Variable(inner.strip().lower(), None))
        position = found.end()
    if position < len(text):
        parts.append(text[position:])
    return tuple(parts)


def _glob(text: str, colons_before: int, arn: bool) -> str:
    """Regex for glob text; in an ARN the wildcards of the first five segments stay inside
    their segment, those of the resource segment may span ``:`` and ``/``."""
    out: list[str] = []
    colons = colons_before
    for char in text:
        confined = arn and colons < _ARN_SEGMENTS - 1
        if char == "*":
            out.append("[^:]*" if confined else ".*")
        elif char == "?":
            out.append("[^:]" if confined else ".")
        else:
            out.append(re.escape(char))
            if char == ":":
                colons += 1
    return "".join(out)


def _is_arn_pattern(text: str) -> bool:
    return text.startswith("arn:") and text.count(":") >= _ARN_SEGMENTS - 1


class Pattern:
    """One Action, Resource or condition value. Wildcards match across ``:`` unless ``arn``
    is set and the pattern is a full ARN (then segment by segment, as IAM matches ARNs)."""

    __slots__ = ("_arn", "_flags", "_parts", "_regex", "text")

    def __init__(self, text: str, *, ignore_case: bool = False, variables: bool = False, arn: bool = False) -> None:
        self.text = text
        self._parts = _parts(text, variables)
        self._flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
        self._arn = arn and _is_arn_pattern(text)
        self._regex = re.compile(self._regex_text(self._parts), self._flags) if self.static else None

    @property
    def flags(self) -> int:
        return self._flags

    @property
    def static(self) -> bool:
        """No variable: the same for every request."""
        return not any(isinstance(part, _Variable) for part in self._parts)

    def regex_text(self) -> str:
        """The pattern as regex source (static patterns only), for combining several into one."""
        return self._regex_text(self._parts)

    def _regex_text(self, parts: Iterable[_Part]) -> str:
        out: list[str] = []
        colons = 0
        for part in parts:
            if isinstance(part, str):
                out.append(_glob(part, colons, self._arn))
                colons += part.count(":")
            else:
                assert isinstance(part, _Literal)
                out.append(re.escape(part.text))
                colons += part.text.count(":")
        return "".join(out)

    def _filled_parts(self, context: Context) -> list[str | _Literal] | None:
        filled: list[str | _Literal] = []
        for part in self._parts:
            if isinstance(part, _Variable):
                values = context.get(part.key)
                if values is None and part.default is None:
                    return None  # a variable without a value matches nothing
                if values is not None and len(values) != 1:
                    return None  # a multivalued key is not a variable
                filled.append(_Literal(values[0] if values else part.default or ""))
            else:
                filled.append(part)
        return filled

    def fill(self, context: Context) -> str | None:
        """The pattern's text with its variables and escapes replaced (for Equals operators);
        None when a variable has no value in this request."""
        if len(self._parts) == 1 and isinstance(self._parts[0], str):
            return self._parts[0]
        parts = self._filled_parts(context)
        if parts is None:
            return None
        return "".join(part if isinstance(part, str) else part.text for part in parts)

    def matches(self, candidate: str, context: Context) -> bool:
        """Wildcard match of the whole of ``candidate``."""
        if self._regex is not None:
            return self._regex.fullmatch(candidate) is not None
        parts = self._filled_parts(context)
        if parts is None:
            return False
        return re.fullmatch(self._regex_text(parts), candidate, self._flags) is not None


class PatternSet:
    """An element's patterns (``Action: [...]``): the static ones compiled into one regex."""

    __slots__ = ("_dynamic", "_static", "patterns")

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        self.patterns = tuple(patterns)
        static = [p for p in self.patterns if p.static]
        self._dynamic = tuple(p for p in self.patterns if not p.static)
        self._static = None
        if static:
            # One element's patterns share their flags (all actions, or all resources).
            self._static = re.compile("|".join(f"(?:{p.regex_text()})" for p in static), static[0].flags)

    def matches(self, candidate: str, context: Context) -> bool:
        if self._static is not None and self._static.fullmatch(candidate) is not None:
            return True
        return any(pattern.matches(candidate, context) for pattern in self._dynamic)
