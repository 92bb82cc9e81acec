"""CloudWatch Logs' filter-pattern language, compiled once into a predicate on a message.

Three forms, told apart by the first character:

* ``{ ... }``: a JSON pattern over the message parsed as JSON: selectors ``$.a.b``,
  ``$.list[0]``, comparisons ``= != < > <= >=`` against numbers, ``"quoted"`` or bare strings
  (``*`` is a wildcard in ``=`` / ``!=``), ``IS TRUE``, ``IS FALSE``, ``IS NULL``,
  ``NOT EXISTS``, joined with ``&&`` / ``||`` and grouped with parentheses;
* ``[ ... ]``: a space-delimited pattern: one name per field of the message (split on spaces,
  keeping ``"quoted"`` and ``[bracketed]`` fields whole), ``...`` for any number of fields, each
  name optionally with a condition (``status = 404``, ``size > 1000``, ``user != bob*``),
  conditions joined with ``&&`` / ``||`` inside one field;
* anything else: terms. Every plain term and ``"quoted phrase"`` must occur (case-sensitive),
  a ``-term`` must not, and when ``?term`` alternatives are given at least one must occur.

An empty pattern matches every event. A pattern that does not parse raises
``FilterPatternError`` (the handlers answer InvalidParameterException).
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable
from typing import Any

Predicate = Callable[[str], bool]


class FilterPatternError(ValueError):
    """The pattern is not valid filter-pattern syntax."""


def compile_pattern(pattern: str | None) -> Predicate:
    """The predicate ``pattern`` stands for (see the module docstring)."""
    text = (pattern or "").strip()
    if not text:
        return lambda message: True
    if text.startswith("{"):
        return _json_pattern(text)
    if text.startswith("["):
        return _delimited_pattern(text)
    return _term_pattern(text)


# -- terms -----------------------------------------------------------------------------------
_TERM = re.compile(r'([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))')


def _term_pattern(text: str) -> Predicate:
    required: list[str] = []
    excluded: list[str] = []
    optional: list[str] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        match = _TERM.match(text, pos)
        if match is None:
            raise FilterPatternError(f"Invalid character(s) in term '{text[pos:]}'")
        sign, quoted, bare = match.groups()
        term = quoted.replace('\\"', '"') if quoted is not None else bare
        if not term:
            raise FilterPatternError("Invalid filter pattern: empty term")
        {"": required, "-": excluded, "?": optional}[sign].append(term)
        pos = match.end()

    def matches(message: str) -> bool:
        if any(term not in message for term in required):
            return False
        if any(term in message for term in excluded):
            return False
        return not optional or any(term in message for term in optional)

    return matches


# -- shared lexer for JSON and space-delimited conditions --------------------------------------
_TOKEN = re.compile(
    r'\s*(?:(?P<op>&&|\|\||<=|>=|!=|=|<|>|\(|\)|\[|\]|\{|\}|,)'
    r'|"(?P<str>(?:[^"\\]|\\.)*)"'
    r'|(?P<word>[^\s&|<>=!(){}\[\],"]+))'
)


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs: kind is ``op``, ``str`` (a quoted string) or ``word``."""
    found: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise FilterPatternError(f"Invalid filter pattern near '{text[pos:]}'")
        kind = match.lastgroup or "op"
        value = match.group(kind)
        if kind == "str":
            value = value.replace('\\"', '"')
        found.append((kind, value))
        pos = match.end()
    return found


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FilterPatternError("Invalid filter pattern: unexpected end")
        self.pos += 1
        return token

    def expect(self, op: str) -> None:
        token = self.next()
        if token != ("op", op):
            raise FilterPatternError(f"Invalid filter pattern: expected '{op}', found '{token[1]}'")

    def at(self, op: str) -> bool:
        return self.peek() == ("op", op)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(actual: Any, op: str, kind: str, expected: str) -> bool:
    """``actual op expected`` with AWS's rules: numbers compare as numbers, strings only by
    ``=`` / ``!=`` with ``*`` wildcards."""
    if isinstance(actual, bool) or actual is None or isinstance(actual, (dict, list)):
        return op == "!=" and actual is not None and not isinstance(actual, (dict, list))
    number = _number(expected) if kind == "word" else None
    if number is not None:
        if isinstance(actual, str):
            value = _number(actual)
            if value is None:
                return op == "!="
        else:
            value = float(actual)
        return {"=": value == number, "!=": value != number, "<": value < number, ">": value > number,
                "<=": value <= number, ">=": value >= number}[op]
    if op not in ("=", "!="):
        raise FilterPatternError(f"Invalid filter pattern: '{op}' needs a number, not '{expected}'")
    text = actual if isinstance(actual, str) else json.dumps(actual)
    equal = fnmatch.fnmatchcase(text, expected) if "*" in expected else text == expected
    return equal if op == "=" else not equal


# -- JSON patterns -----------------------------------------------------------------------------
_MISSING = object()
_SELECTOR = re.compile(r"\$((?:\.[^.\[\]]+|\[\d+\]|\[\*\])*)$")
_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+|\*)\]")


def _selector(text: str) -> Callable[[Any], list[Any]]:
    if not _SELECTOR.match(text):
        raise FilterPatternError(f"Invalid selector '{text}'")
    steps = [(name, index) for name, index in _STEP.findall(text[1:])]

    def select(document: Any) -> list[Any]:
        values = [document]
        for name, index in steps:
            nxt: list[Any] = []
            for value in values:
                if name:
                    if isinstance(value, dict) and name in value:
                        nxt.append(value[name])
                elif isinstance(value, list):
                    if index == "*":
                        nxt.extend(value)
                    elif int(index) < len(value):
                        nxt.append(value[int(index)])
            values = nxt
        return values

    return select


JsonPredicate = Callable[[Any], bool]


def _json_pattern(text: str) -> Predicate:
    parser = _Parser(_tokens(text))
    parser.expect("{")
    predicate = _json_or(parser)
    parser.expect("}")
    if parser.peek() is not None:
        raise FilterPatternError("Invalid filter pattern: text after '}'")

    def matches(message: str) -> bool:
        try:
            document = json.loads(message)
        except ValueError:
            return False
        return isinstance(document, (dict, list)) and predicate(document)

    return matches


def _json_or(parser: _Parser) -> JsonPredicate:
    parts = [_json_and(parser)]
    while parser.at("||"):
        parser.next()
        parts.append(_json_and(parser))
    return parts[0] if len(parts) == 1 else (lambda doc: any(p(doc) for p in parts))


def _json_and(parser: _Parser) -> JsonPredicate:
    parts = [_json_term(parser)]
    while parser.at("&&"):
        parser.next()
        parts.append(_json_term(parser))
    return parts[0] if len(parts) == 1 else (lambda doc: all(p(doc) for p in parts))


def _json_term(parser: _Parser) -> JsonPredicate:
    if parser.at("("):
        parser.next()
        inner = _json_or(parser)
        parser.expect(")")
        return inner
    kind, text = parser.next()
    # ``$.a[0]``: the lexer splits brackets off; glue them back onto the selector.
    while parser.at("[") and kind == "word":
        parser.next()
        index = parser.next()[1]
        parser.expect("]")
        text += f"[{index}]"
        if parser.peek() and parser.peek()[0] == "word" and parser.peek()[1].startswith("."):  # type: ignore[index]
            text += parser.next()[1]
    if kind != "word" or not text.startswith("$"):
        raise FilterPatternError(f"Invalid filter pattern: expected a selector, found '{text}'")
    select = _selector(text)
    word = parser.peek()
    if word is not None and word[0] == "word" and word[1].upper() in ("IS", "NOT"):
        first = parser.next()[1].upper()
        second = parser.next()[1].upper()
        if first == "NOT" and second == "EXISTS":
            return lambda doc: not select(doc)
        if first == "IS" and second in ("TRUE", "FALSE", "NULL"):
            wanted = {"TRUE": True, "FALSE": False, "NULL": None}[second]
            return lambda doc: any(v is wanted for v in select(doc))
        raise FilterPatternError(f"Invalid filter pattern: '{first} {second}'")
    op_kind, op = parser.next()
    if op_kind != "op" or op not in ("=", "!=", "<", ">", "<=", ">="):
        raise FilterPatternError(f"Invalid filter pattern: expected a comparison, found '{op}'")
    value_kind, value = parser.next()
    if value_kind == "op":
        raise FilterPatternError(f"Invalid filter pattern: expected a value, found '{value}'")
    if op not in ("=", "!=") and (value_kind == "str" or _number(value) is None):
        raise FilterPatternError(f"Invalid filter pattern: '{op}' needs a number")
    return lambda doc: any(_compare(v, op, value_kind, value) for v in select(doc))


# -- space-delimited patterns -----------------------------------------------------------------
_FIELD = re.compile(r'"[^"]*"|\[[^\]]*\]|\S+')

FieldPredicate = Callable[[str], bool]


def _split_fields(message: str) -> list[str]:
    fields = []
    for token in _FIELD.findall(message):
        if len(token) >= 2 and token[0] + token[-1] in ('""', "[]"):
            token = token[1:-1]
        fields.append(token)
    return fields


def _delimited_pattern(text: str) -> Predicate:
    if not text.endswith("]"):
        raise FilterPatternError("Invalid filter pattern: a space-delimited pattern ends with ']'")
    body = text[1:-1]
    specs: list[FieldPredicate | None] = []  # None: an ellipsis
    for part in _split_top_level(body):
        part = part.strip()
        if not part:
            raise FilterPatternError("Invalid filter pattern: empty field")
        if part == "...":
            specs.append(None)
        else:
            specs.append(_field_condition(part))

    def matches(message: str) -> bool:
        return _match_fields(specs, _split_fields(message))

    return matches


def _split_top_level(body: str) -> list[str]:
    parts, depth, current, quoted = [], 0, "", False
    for char in body:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        if char == "," and depth == 0 and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _field_condition(text: str) -> FieldPredicate:
    parser = _Parser(_tokens(text))
    kind, name = parser.next()
    if kind != "word":
        raise FilterPatternError(f"Invalid filter pattern: field name expected, found '{name}'")
    if parser.peek() is None:
        return lambda value: True
    predicate = _field_or(parser, name)
    if parser.peek() is not None:
        raise FilterPatternError(f"Invalid filter pattern near '{parser.peek()[1]}'")  # type: ignore[index]
    return predicate


def _field_or(parser: _Parser, name: str) -> FieldPredicate:
    parts = [_field_and(parser, name)]
    while parser.at("||"):
        parser.next()
        parts.append(_field_and(parser, name))
    return parts[0] if len(parts) == 1 else (lambda v: any(p(v) for p in parts))


def _field_and(parser: _Parser, name: str) -> FieldPredicate:
    parts = [_field_comparison(parser, name)]
    while parser.at("&&"):
        parser.next()
        parts.append(_field_comparison(parser, name))
    return parts[0] if len(parts) == 1 else (lambda v: all(p(v) for p in parts))


def _field_comparison(parser: _Parser, name: str) -> FieldPredicate:
    if parser.at("("):
        parser.next()
        inner = _field_or(parser, name)
        parser.expect(")")
        return inner
    token = parser.peek()
    if token is not None and token[0] == "word" and token[1] == name:  # ``status = 1 || status = 2``
        parser.next()
    op_kind, op = parser.next()
    if op_kind != "op" or op not in ("=", "!=", "<", ">", "<=", ">="):
        raise FilterPatternError(f"Invalid filter pattern: expected a comparison, found '{op}'")
    value_kind, value = parser.next()
    if value_kind == "op":
        raise FilterPatternError(f"Invalid filter pattern: expected a value, found '{value}'")
    if op not in ("=", "!=") and _number(value) is None:
        raise FilterPatternError(f"Invalid filter pattern: '{op}' needs a number")
    return lambda field: _compare(field, op, value_kind, value)


def _match_fields(specs: list[FieldPredicate | None], fields: list[str]) -> bool:
    if not specs:
        return not fields
    head = specs[0]
    if head is None:
        return any(_match_fields(specs[1:], fields[skip:]) for skip in range(len(fields) + 1))
    return bool(fields) and head(fields[0]) and _match_fields(specs[1:], fields[1:])
