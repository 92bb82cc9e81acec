"""DynamoDB's PartiQL subset: a tokenizer and recursive-descent parser for SELECT, INSERT,
UPDATE and DELETE, producing the same condition and update nodes expressions parse into.

Literal values and ``?`` parameters become value placeholders (``:lit0``, ``:param0``), bound at
execution in a ``Bindings`` like a request's ExpressionAttributeValues, so one evaluator serves
expressions, the legacy parameters and PartiQL. Parsed statements are cached by text.

    select := SELECT ( '*' | path (',' path)* ) FROM table [ '.' index ] [ WHERE condition ]
    insert := INSERT INTO table VALUE value
    update := UPDATE table ( SET path '=' operand [ ('+'|'-') operand ] | REMOVE path )+ WHERE condition
    delete := DELETE FROM table WHERE condition
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NoReturn

from hoarfrost.services.dynamodb import values as av
from hoarfrost.services.dynamodb.errors import validation
from hoarfrost.services.dynamodb.expressions.nodes import (
    And,
    Arithmetic,
    Between,
    Compare,
    Condition,
    Function,
    In,
    Not,
    Or,
    Path,
    Value,
)

_PUNCTUATION = ("<<", ">>", "<>", "!=", "<=", ">=", "=", "<", ">", "(", ")", "[", "]", "{", "}", ",", ".", ":",
                "*", "?", "+", "-")
_FUNCTIONS = {"begins_with": 2, "contains": 2, "attribute_exists": 1, "attribute_not_exists": 1,
              "attribute_type": 2, "size": 1}


class PartiqlError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "word", "ident" (double-quoted), "string", "number", "op", "eof"
    text: str


class Param:
    """A ``?`` inside a value (INSERT's item): the statement's parameter of that position."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


@dataclass(slots=True)
class Statement:
    kind: str
    table: str
    index: str | None = None
    projection: tuple[Path, ...] | None = None  # None: *
    where: Condition | None = None
    item: Any = None  # INSERT's value (an attribute value template, parameters as Param)
    sets: list[tuple[Path, Any]] = field(default_factory=list)
    removes: list[Path] = field(default_factory=list)
    literals: dict[str, Any] = field(default_factory=dict)  # placeholder -> attribute value template
    parameters: int = 0


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "'" or c == '"':
            j, chunk = i + 1, []
            while True:
                if j >= n:
                    raise PartiqlError("Unterminated quoted text")
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:
                        chunk.append(c)
                        j += 2
                        continue
                    break
                chunk.append(text[j])
                j += 1
            tokens.append(Token("string" if c == "'" else "ident", "".join(chunk)))
            i = j + 1
        elif c.isdigit():
            j = i
            while j < n and (text[j].isdigit() or text[j] in ".eE" or (text[j] in "+-" and text[j - 1] in "eE")):
                j += 1
            tokens.append(Token("number", text[i:j]))
            i = j
        elif c.isalpha() or c == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            tokens.append(Token("word", text[i:j]))
            i = j
        else:
            for op in _PUNCTUATION:
                if text.startswith(op, i):
                    tokens.append(Token("op", op))
                    i += len(op)
                    break
            else:
                raise PartiqlError(f"Unexpected character: {c}")
    tokens.append(Token("eof", ""))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0
        self.statement = Statement("", "")

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def fail(self, message: str | None = None) -> NoReturn:
        token = self.token
        raise PartiqlError(message or (f"Unexpected token: {token.text}" if token.kind != "eof"
                                       else "Unexpected end of statement"))

    def word(self, *words: str) -> bool:
        if self.token.kind == "word" and self.token.text.upper() in words:
            self.pos += 1
            return True
        return False

    def expect_word(self, word: str) -> None:
        if not self.word(word):
            self.fail()

    def op(self, text: str) -> bool:
        if self.token.kind == "op" and self.token.text == text:
            self.pos += 1
            return True
        return False

    def expect_op(self, text: str) -> None:
        if not self.op(text):
            self.fail()

    def name(self) -> str:
        token = self.token
        if token.kind in ("word", "ident"):
            self.pos += 1
            return token.text
        self.fail()

    # -- statements -------------------------------------------------------------------------
    def parse(self) -> Statement:
        s = self.statement
        if self.word("SELECT"):
            s.kind = "SELECT"
            if not self.op("*"):
                paths = [self.path()]
                while self.op(","):
                    paths.append(self.path())
                s.projection = tuple(paths)
            self.expect_word("FROM")
            self.table_name()
            if self.word("WHERE"):
                s.where = self.condition()
        elif self.word("INSERT"):
            s.kind = "INSERT"
            self.expect_word("INTO")
            self.table_name()
            self.expect_word("VALUE")
            s.item = self.value()
            if not isinstance(s.item, dict) or "M" not in s.item:
                self.fail("INSERT needs a map value ({'key': value, ...})")
        elif self.word("UPDATE"):
            s.kind = "UPDATE"
            self.table_name()
            while True:
                if self.word("SET"):
                    path = self.path()
                    self.expect_op("=")
                    value: Any = self.operand()
                    if self.token.kind == "op" and self.token.text in "+-":
                        sign = self.token.text
                        self.pos += 1
                        value = Arithmetic(sign, value, self.operand())
                    s.sets.append((path, value))
                elif self.word("REMOVE"):
                    s.removes.append(self.path())
                else:
                    break
            if not s.sets and not s.removes:
                self.fail()
            self.expect_word("WHERE")
            s.where = self.condition()
        elif self.word("DELETE"):
            s.kind = "DELETE"
            self.expect_word("FROM")
            self.table_name()
            self.expect_word("WHERE")
            s.where = self.condition()
        else:
            self.fail()
        if self.token.kind != "eof":
            self.fail()
        return s

    def table_name(self) -> None:
        self.statement.table = self.name()
        if self.op("."):
            self.statement.index = self.name()

    def path(self) -> Path:
        parts: list[str | int] = [self.name()]
        while True:
            if self.op("."):
                parts.append(self.name())
            elif self.op("["):
                token = self.token
                if token.kind != "number" or not token.text.isdigit():
                    self.fail()
                self.pos += 1
                parts.append(int(token.text))
                self.expect_op("]")
            else:
                return Path(tuple(parts))

    # -- values ------------------------------------------------------------------------------
    def value(self) -> Any:
        token = self.token
        if token.kind == "string":
            self.pos += 1
            return {"S": token.text}
        if token.kind == "number" or (token.kind == "op" and token.text == "-"):
            negative = self.op("-")
            token = self.token
            if token.kind != "number":
                self.fail()
            self.pos += 1
            return {"N": av.normalise_number(("-" if negative else "") + token.text)}
        if self.op("?"):
            self.statement.parameters += 1
            return Param(self.statement.parameters - 1)
        if self.word("TRUE"):
            return {"BOOL": True}
        if self.word("FALSE"):
            return {"BOOL": False}
        if self.word("NULL"):
            return {"NULL": True}
        if self.op("["):
            elements = [] if self.op("]") else self._values("]")
            return {"L": elements}
        if self.op("{"):
            members: dict[str, Any] = {}
            if not self.op("}"):
                while True:
                    key = self.token
                    if key.kind not in ("string", "ident"):
                        self.fail()
                    self.pos += 1
                    self.expect_op(":")
                    members[key.text] = self.value()
                    if self.op("}"):
                        break
                    self.expect_op(",")
            return {"M": members}
        if self.op("<<"):
            elements = self._values(">>")
            kinds = {next(iter(e)) for e in elements if isinstance(e, dict)}
            if len(kinds) != 1 or kinds - {"S", "N", "B"}:
                self.fail("A set must hold strings, numbers or binaries of one type")
            kind = kinds.pop()
            return {kind + "S": [e[kind] for e in elements]}
        self.fail()

    def _values(self, close: str) -> list[Any]:
        values = [self.value()]
        while self.op(","):
            values.append(self.value())
        self.expect_op(close)
        return values

    def literal(self) -> Value:
        value = self.value()
        placeholder = f":lit{len(self.statement.literals)}"
        self.statement.literals[placeholder] = value
        return Value(placeholder)

    # -- conditions --------------------------------------------------------------------------
    def condition(self) -> Condition:
        left = self.conjunction()
        while self.word("OR"):
            left = Or(left, self.conjunction())
        return left

    def conjunction(self) -> Condition:
        left = self.negation()
        while self.word("AND"):
            left = And(left, self.negation())
        return left

    def negation(self) -> Condition:
        if self.word("NOT"):
            return Not(self.negation())
        if self.op("("):
            inner = self.condition()
            self.expect_op(")")
            return inner
        token = self.token
        if token.kind == "word" and token.text.lower() in _FUNCTIONS and self.tokens[self.pos + 1].text == "(":
            name = token.text.lower()
            self.pos += 2
            args: list[Any] = [self.operand()]
            while self.op(","):
                args.append(self.operand())
            self.expect_op(")")
            if len(args) != _FUNCTIONS[name]:
                self.fail(f"Wrong number of arguments to {name}")
            return Function(name, tuple(args))
        left = self.operand()
        if self.word("IS"):
            negated = self.word("NOT")
            self.expect_word("MISSING")
            if not isinstance(left, Path):
                self.fail()
            return Function("attribute_exists" if negated else "attribute_not_exists", (left,))
        if self.word("BETWEEN"):
            low = self.operand()
            self.expect_word("AND")
            return Between(left, low, self.operand())
        if self.word("IN"):
            opener = "[" if self.op("[") else "(" if self.op("(") else None
            if opener is None:
                self.fail()
            options = [self.operand()]
            while self.op(","):
                options.append(self.operand())
            self.expect_op("]" if opener == "[" else ")")
            return In(left, tuple(options))
        token = self.token
        if token.kind == "op" and token.text in ("=", "<>", "!=", "<", "<=", ">", ">="):
            self.pos += 1
            return Compare("<>" if token.text == "!=" else token.text, left, self.operand())
        self.fail()

    def operand(self) -> Any:
        token = self.token
        if token.kind in ("word", "ident") and not (token.kind == "word" and token.text.upper() in (
                "TRUE", "FALSE", "NULL")):
            return self.path()
        return self.literal()


@lru_cache(maxsize=512)
def _parse(text: str) -> Statement:
    return _Parser(text).parse()


def parse(text: str) -> Statement:
    """The parsed statement; ValidationException when it is not one DynamoDB's PartiQL takes."""
    try:
        return _parse(text)
    except PartiqlError as error:
        raise validation(f"Statement wasn't well formed, can't be processed: {error}") from None


def fill(template: Any, parameters: list[Any]) -> Any:
    """An attribute value template with its ``?`` parameters put in."""
    if isinstance(template, Param):
        return parameters[template.index]
    if isinstance(template, dict):
        ((kind, data),) = template.items()
        if kind == "L":
            return {"L": [fill(v, parameters) for v in data]}
        if kind == "M":
            return {"M": {k: fill(v, parameters) for k, v in data.items()}}
    return template
