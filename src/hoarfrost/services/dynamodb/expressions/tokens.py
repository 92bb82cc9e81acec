"""The tokenizer of DynamoDB's expression language (conditions, updates, projections, key
conditions): names, ``#name`` and ``:value`` placeholders, list indexes, operators."""

from __future__ import annotations

from dataclasses import dataclass

NAME, NAME_REF, VALUE_REF, INDEX, OP, EOF = "name", "#name", ":value", "index", "op", "eof"

_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
_DIGITS = frozenset("0123456789")
_TWO_CHAR_OPS = frozenset({"<>", "<=", ">="})
_ONE_CHAR_OPS = frozenset("=<>()[],.+-")
_SPACE = frozenset(" \t\r\n")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    start: int
    end: int

    def is_word(self, word: str) -> bool:
        """A bare name equal to a keyword (keywords are case-insensitive)."""
        return self.kind == NAME and self.text.upper() == word


def tokenize(text: str) -> list[Token]:
    """Every token of ``text``, ending with EOF. An unknown character becomes an operator token
    of its own, which the parser reports as DynamoDB's syntax error."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _SPACE:
            i += 1
            continue
        start = i
        if c in _NAME_START:
            i += 1
            while i < n and text[i] in _NAME_CHARS:
                i += 1
            tokens.append(Token(NAME, text[start:i], start, i))
        elif c in "#:":
            i += 1
            while i < n and text[i] in _NAME_CHARS:
                i += 1
            kind = NAME_REF if c == "#" else VALUE_REF
            tokens.append(Token(kind if i > start + 1 else OP, text[start:i], start, i))
        elif c in _DIGITS:
            i += 1
            while i < n and text[i] in _NAME_CHARS:
                i += 1
            tokens.append(Token(INDEX, text[start:i], start, i))
        elif text[i:i + 2] in _TWO_CHAR_OPS:
            i += 2
            tokens.append(Token(OP, text[start:i], start, i))
        else:
            i += 1
            tokens.append(Token(OP, c, start, i))
    tokens.append(Token(EOF, "<EOF>", n, n))
    return tokens
