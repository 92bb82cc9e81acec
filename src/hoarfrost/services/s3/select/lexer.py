"""The S3 Select SQL text as tokens: keywords and identifiers (case-insensitive unless
double-quoted), 'strings' ('' escapes a quote), numbers, operators and punctuation."""

from __future__ import annotations

import dataclasses
import re

from hoarfrost.services.s3.select.errors import select_error

KEYWORDS = frozenset({
    "select", "from", "where", "limit", "as", "and", "or", "not", "is", "null", "missing", "true", "false",
    "like", "escape", "in", "between", "cast", "case", "when", "then", "else", "end", "for", "both",
    "leading", "trailing", "group", "order", "by", "having", "join", "union", "distinct", "offset",
})


@dataclasses.dataclass(frozen=True, slots=True)
class Token:
    """kind: ``keyword`` (value lower-cased), ``ident``, ``qident`` (double-quoted), ``string``,
    ``ion`` (a backquoted Ion literal such as `` `2010-01-01T` ``), ``int``, ``decimal``,
    ``float``, ``op`` (operators and punctuation) or ``eof``."""

    kind: str
    value: str
    position: int


_PATTERN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>--[^\n]*)
  | (?P<number>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<string>'(?:[^']|'')*')
  | (?P<qident>"(?:[^"]|"")*")
  | (?P<ion>`[^`]*`)
  | (?P<op><>|!=|<=|>=|\|\||[=<>+\-*/%(),.\[\];])
""", re.VERBOSE)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position, length = 0, len(text)
    while position < length:
        match = _PATTERN.match(text, position)
        if match is None:
            if text[position] in "'\"`":
                raise select_error("LexerInvalidLiteral")
            raise select_error("LexerInvalidChar")
        kind, value = match.lastgroup or "", match.group()
        if kind == "number":
            if "e" in value.lower():
                tokens.append(Token("float", value, position))
            elif "." in value:
                tokens.append(Token("decimal", value, position))
            else:
                tokens.append(Token("int", value, position))
        elif kind == "word":
            lowered = value.lower()
            keyword = lowered in KEYWORDS
            tokens.append(Token("keyword" if keyword else "ident", lowered if keyword else value, position))
        elif kind == "string":
            tokens.append(Token("string", value[1:-1].replace("''", "'"), position))
        elif kind == "ion":
            tokens.append(Token("ion", value[1:-1].strip(), position))
        elif kind == "qident":
            tokens.append(Token("qident", value[1:-1].replace('""', '"'), position))
        elif kind == "op":
            tokens.append(Token("op", value, position))
        position = match.end()
    tokens.append(Token("eof", "", length))
    return tokens
