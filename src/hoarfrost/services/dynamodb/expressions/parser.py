"""A recursive-descent parser for DynamoDB's expressions, with DynamoDB's error messages.

Grammar (precedence low to high: OR, AND, NOT, then comparisons / BETWEEN / IN / functions)::

    condition  := and ( OR and )*
    and        := not ( AND not )*
    not        := NOT not | '(' condition ')' | function | operand comparator operand
                | operand BETWEEN operand AND operand | operand IN '(' operand (',' operand)* ')'
    operand    := path | :value | size '(' path ')'
    path       := (name | #name) ( '.' (name | #name) | '[' index ']' )*
    update     := ( SET set (',' set)* | REMOVE path (',' path)* | ADD path :value (',' ...)*
                  | DELETE path :value (',' ...)* )+
    set        := path '=' value ( ('+' | '-') value )?
    value      := path | :value | if_not_exists '(' path ',' value ')' | list_append '(' value ',' value ')'
    projection := path (',' path)*

``parse(kind, text)`` is cached: a request parses each distinct expression text once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NoReturn

from hoarfrost.services.dynamodb.errors import validation
from hoarfrost.services.dynamodb.expressions.nodes import (
    And,
    Arithmetic,
    Between,
    Compare,
    Condition,
    Expression,
    Function,
    IfNotExists,
    In,
    ListAppend,
    Not,
    Operand,
    Or,
    Path,
    PathPart,
    Size,
    Update,
    UpdateValue,
    Value,
)
from hoarfrost.services.dynamodb.expressions.tokens import EOF, INDEX, NAME, NAME_REF, OP, VALUE_REF, Token, tokenize
from hoarfrost.services.dynamodb.reserved import is_reserved

COMPARATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})
KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})
CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")
# name -> number of operands
CONDITION_FUNCTIONS = {"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2,
                       "begins_with": 2, "contains": 2, "size": 1}
UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}


class ExpressionError(Exception):
    """Raised inside the parser; ``parse`` turns it into the ValidationException."""


class _Parser:
    def __init__(self, kind: str, text: str) -> None:
        self.kind = kind
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.names: set[str] = set()
        self.values: set[str] = set()
        self.typed: list[tuple[str, str]] = []

    # -- token stream -------------------------------------------------------------------------
    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != EOF:
            self.pos += 1
        return token

    def accept_op(self, op: str) -> bool:
        if self.token.kind == OP and self.token.text == op:
            self.pos += 1
            return True
        return False

    def expect_op(self, op: str) -> None:
        if not self.accept_op(op):
            self.syntax_error()

    def accept_word(self, word: str) -> bool:
        if self.token.is_word(word):
            self.pos += 1
            return True
        return False

    def fail(self, message: str) -> NoReturn:
        raise ExpressionError(f"Invalid {self.kind}: {message}")

    def syntax_error(self) -> NoReturn:
        """DynamoDB's syntax error: the offending token and the text around it (the previous
        token through the next one)."""
        bad = self.token
        before = self.tokens[self.pos - 1] if self.pos > 0 else bad
        after = self.tokens[self.pos + 1] if bad.kind != EOF and self.pos + 1 < len(self.tokens) else bad
        near = self.text[before.start:max(after.end, bad.end)]
        self.fail(f'Syntax error; token: "{bad.text}", near: "{near}"')

    def at_end(self) -> None:
        if self.token.kind != EOF:
            self.syntax_error()

    # -- paths and operands -------------------------------------------------------------------
    def path_element(self) -> str:
        token = self.token
        if token.kind == NAME_REF:
            self.pos += 1
            self.names.add(token.text)
            return token.text
        if token.kind == NAME and token.text.upper() not in KEYWORDS:
            if is_reserved(token.text):
                self.fail(f"Attribute name is a reserved keyword; reserved keyword: {token.text}")
            self.pos += 1
            return token.text
        self.syntax_error()

    def path(self) -> Path:
        parts: list[PathPart] = [self.path_element()]
        while True:
            if self.accept_op("."):
                parts.append(self.path_element())
            elif self.accept_op("["):
                token = self.token
                if token.kind != INDEX or not token.text.isdigit():
                    self.syntax_error()
                self.pos += 1
                parts.append(int(token.text))
                self.expect_op("]")
            else:
                return Path(tuple(parts))

    def value_ref(self) -> Value:
        token = self.advance()
        self.values.add(token.text)
        return Value(token.text)

    def is_function(self) -> bool:
        nxt = self.tokens[self.pos + 1] if self.pos + 1 < len(self.tokens) else self.token
        return self.token.kind == NAME and nxt.kind == OP and nxt.text == "("

    def function_args(self, name: str, count: int, arg: object) -> list[object]:
        self.advance()  # the name
        self.expect_op("(")
        args = [arg() if callable(arg) else None]
        while self.accept_op(","):
            args.append(arg() if callable(arg) else None)
        self.expect_op(")")
        if len(args) != count:
            self.fail(f"Incorrect number of operands for operator or function; operator or function: {name}, "
                      f"number of operands: {len(args)}")
        return args

    # -- conditions ---------------------------------------------------------------------------
    def condition(self) -> Condition:
        left = self.conjunction()
        while self.accept_word("OR"):
            left = Or(left, self.conjunction())
        return left

    def conjunction(self) -> Condition:
        left = self.negation()
        while self.accept_word("AND"):
            left = And(left, self.negation())
        return left

    def negation(self) -> Condition:
        if self.accept_word("NOT"):
            return Not(self.negation())
        if self.accept_op("("):
            inner = self.condition()
            self.expect_op(")")
            return inner
        if self.is_function() and self.token.text != "size":
            return self.boolean_function()
        left = self.operand()
        token = self.token
        if token.kind == OP and token.text in COMPARATORS:
            self.pos += 1
            right = self.operand()
            if token.text not in ("=", "<>"):
                self.note_typed(token.text, left, right)
            return Compare(token.text, left, right)
        if self.accept_word("BETWEEN"):
            low = self.operand()
            if not self.accept_word("AND"):
                self.syntax_error()
            high = self.operand()
            self.note_typed("BETWEEN", low, high)
            return Between(left, low, high)
        if self.accept_word("IN"):
            self.expect_op("(")
            options = [self.operand()]
            while self.accept_op(","):
                options.append(self.operand())
            self.expect_op(")")
            if len(options) > 100:
                self.fail("The IN operator is provided with too many operands; number of operands: "
                          f"{len(options)}")
            return In(left, tuple(options))
        if isinstance(left, Size):
            self.fail("The function is not allowed to be used this way in an expression; function: size")
        self.syntax_error()

    def note_typed(self, op: str, *operands: Operand) -> None:
        for operand in operands:
            if isinstance(operand, Value):
                self.typed.append((op, operand.name))

    def boolean_function(self) -> Function:
        name = self.token.text
        if name in UPDATE_FUNCTIONS:
            self.fail(f"The function is not allowed in a condition expression; function: {name}")
        if name not in CONDITION_FUNCTIONS:
            self.fail(f"Invalid function name; function: {name}")
        args = tuple(self.function_args(name, CONDITION_FUNCTIONS[name], self.operand))
        if name in ("attribute_exists", "attribute_not_exists", "attribute_type") and not isinstance(args[0], Path):
            self.fail(f"Operator or function requires a document path; operator or function: {name}")
        if name == "attribute_type" or name == "begins_with":
            self.note_typed(name, args[1])  # type: ignore[arg-type]
        return Function(name, args)  # type: ignore[arg-type]

    def operand(self) -> Operand:
        token = self.token
        if token.kind == VALUE_REF:
            return self.value_ref()
        if self.is_function():
            name = token.text
            if name == "size":
                args = self.function_args(name, 1, self.operand)
                if not isinstance(args[0], Path):
                    self.fail("Operator or function requires a document path; operator or function: size")
                return Size(args[0])
            if name in CONDITION_FUNCTIONS:
                self.fail(f"The function is not allowed to be used this way in an expression; function: {name}")
            if name in UPDATE_FUNCTIONS:
                self.fail(f"The function is not allowed in a condition expression; function: {name}")
            self.fail(f"Invalid function name; function: {name}")
        return self.path()

    # -- updates ------------------------------------------------------------------------------
    def update(self) -> Update:
        clauses: dict[str, list[object]] = {}
        if self.token.kind == EOF:
            self.syntax_error()
        while self.token.kind != EOF:
            word = self.token.text.upper() if self.token.kind == NAME else ""
            if word not in CLAUSES:
                self.syntax_error()
            if word in clauses:
                self.fail(f'The "{word}" section can only be used once in an update expression;')
            self.advance()
            actions: list[object] = [self.update_action(word)]
            while self.accept_op(","):
                actions.append(self.update_action(word))
            clauses[word] = actions
        return Update(
            set=tuple(clauses.get("SET", ())),  # type: ignore[arg-type]
            remove=tuple(clauses.get("REMOVE", ())),  # type: ignore[arg-type]
            add=tuple(clauses.get("ADD", ())),  # type: ignore[arg-type]
            delete=tuple(clauses.get("DELETE", ())),  # type: ignore[arg-type]
        )

    def update_action(self, clause: str) -> object:
        path = self.path()
        if clause == "REMOVE":
            return path
        if clause == "SET":
            self.expect_op("=")
            value = self.update_value()
            token = self.token
            if token.kind == OP and token.text in "+-" and token.text:
                self.pos += 1
                value = Arithmetic(token.text, value, self.update_value())
            return (path, value)
        if self.token.kind != VALUE_REF:
            self.syntax_error()
        return (path, self.value_ref())

    def update_value(self) -> UpdateValue:
        token = self.token
        if token.kind == VALUE_REF:
            return self.value_ref()
        if self.is_function():
            name = token.text
            if name not in UPDATE_FUNCTIONS:
                if name in CONDITION_FUNCTIONS:
                    self.fail(f"The function is not allowed in an update expression; function: {name}")
                self.fail(f"Invalid function name; function: {name}")
            args = self.function_args(name, 2, self.update_value)
            if name == "if_not_exists":
                if not isinstance(args[0], Path):
                    self.fail("Operator or function requires a document path; operator or function: if_not_exists")
                return IfNotExists(args[0], args[1])  # type: ignore[arg-type]
            return ListAppend(args[0], args[1])  # type: ignore[arg-type]
        return self.path()

    # -- projections --------------------------------------------------------------------------
    def projection(self) -> tuple[Path, ...]:
        paths = [self.path()]
        while self.accept_op(","):
            paths.append(self.path())
        return tuple(paths)

    def finish(self, root: object) -> Expression:
        self.at_end()
        return Expression(self.kind, root, frozenset(self.names), frozenset(self.values), tuple(self.typed))


def _parse(kind: str, text: str) -> Expression:
    if not text.strip():
        raise validation(f"Invalid {kind}: The expression can not be empty;")
    parser = _Parser(kind, text)
    try:
        if kind == "UpdateExpression":
            return parser.finish(parser.update())
        if kind == "ProjectionExpression":
            return parser.finish(parser.projection())
        return parser.finish(parser.condition())
    except ExpressionError as error:
        raise validation(str(error)) from None


@lru_cache(maxsize=2048)
def parse(kind: str, text: str) -> Expression:
    """The parsed expression (cached by kind and text); ValidationException with DynamoDB's
    message when it does not parse."""
    return _parse(kind, text)
