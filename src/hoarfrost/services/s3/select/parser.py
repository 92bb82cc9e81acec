"""SQL text -> ``nodes.Query``: a recursive-descent parser of the S3 Select dialect.

Precedence, loosest first: OR, AND, NOT, comparison (= <> != < <= > >= IS LIKE IN BETWEEN),
additive (+ - ||), multiplicative (* / %), unary minus, then primaries (literals, paths,
calls, CAST, CASE, parentheses). Errors carry S3 Select's codes and are raised before any
record is read, so they reach the client as an HTTP 400.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from hoarfrost.services.s3.select.errors import select_error
from hoarfrost.services.s3.select.lexer import Token, tokenize
from hoarfrost.services.s3.select.nodes import (
    Aggregate,
    Between,
    Binary,
    Call,
    Case,
    Cast,
    Expr,
    In,
    Is,
    Like,
    Literal,
    Path,
    Projection,
    Query,
    Step,
    Unary,
    contains_aggregate,
    refers_to_record,
)
from hoarfrost.services.s3.select.values import CAST_TYPES, MISSING, parse_timestamp

MAX_EXPRESSION_BYTES = 256 * 1024
AGGREGATES = frozenset({"count", "sum", "avg", "min", "max"})
# name -> (least, most) arguments; None is unbounded.
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "lower": (1, 1), "upper": (1, 1), "trim": (1, 3), "substring": (2, 3), "char_length": (1, 1),
    "character_length": (1, 1), "utcnow": (0, 0), "date_add": (3, 3), "date_diff": (3, 3),
    "extract": (2, 2), "to_string": (2, 2), "to_timestamp": (1, 1), "coalesce": (1, None),
    "nullif": (2, 2),
}
DATE_PARTS = frozenset({"year", "month", "day", "hour", "minute", "second", "timezone_hour", "timezone_minute"})
_COMPARISONS = frozenset({"=", "<>", "!=", "<", "<=", ">", ">="})


def parse(text: str) -> Query:
    if len(text.encode("utf-8")) > MAX_EXPRESSION_BYTES:
        raise select_error("ExpressionTooLong")
    return _Parser(tokenize(text)).query()


_ION_TIMESTAMP = re.compile(r"\d{4}[-T]")
_ION_CONSTANTS = {"true": True, "false": False, "null": None}


def ion_literal(text: str) -> Any:
    """A backquoted Ion literal: S3 Select's documentation writes timestamps this way
    (`` `2010-01-01T` ``); a number, a "string" or a boolean is read too."""
    if _ION_TIMESTAMP.match(text):
        return parse_timestamp(text)
    tokens = tokenize(text)
    if len(tokens) == 2:  # one token and the end
        token = tokens[0]
        if token.kind == "int":
            return int(token.value)
        if token.kind == "decimal":
            return Decimal(token.value)
        if token.kind == "float":
            return float(token.value)
        if token.kind == "qident":  # Ion's strings are double-quoted
            return token.value
        if token.kind == "keyword" and token.value in _ION_CONSTANTS:
            return _ION_CONSTANTS[token.value]
    raise select_error("UnsupportedSyntax")


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.at = 0

    # -- token helpers
    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def advance(self) -> Token:
        token = self.tokens[self.at]
        if token.kind != "eof":
            self.at += 1
        return token

    def is_keyword(self, *words: str) -> bool:
        return self.token.kind == "keyword" and self.token.value in words

    def is_op(self, *ops: str) -> bool:
        return self.token.kind == "op" and self.token.value in ops

    def accept_keyword(self, word: str) -> bool:
        if self.is_keyword(word):
            self.advance()
            return True
        return False

    def accept_op(self, op: str) -> bool:
        if self.is_op(op):
            self.advance()
            return True
        return False

    def expect_keyword(self, word: str) -> None:
        if not self.accept_keyword(word):
            raise select_error("ParseExpectedKeyword")

    def expect_op(self, op: str, code: str = "ParseUnexpectedToken") -> None:
        if not self.accept_op(op):
            raise select_error(code)

    # -- the statement
    def query(self) -> Query:
        if not self.accept_keyword("select"):
            raise select_error("ParseUnexpectedToken" if self.token.kind != "eof" else "ParseExpectedExpression")
        if self.is_keyword("distinct"):
            raise select_error("UnsupportedSyntax")
        if self.is_keyword("from") or self.token.kind == "eof":
            raise select_error("ParseEmptySelect")
        projections = self.select_list()
        if not self.accept_keyword("from"):
            raise select_error("ParseSelectMissingFrom" if self.token.kind == "eof" else "ParseUnexpectedToken")
        source, alias = self.source()
        where = limit = None
        if self.accept_keyword("where"):
            where = self.expression()
        if self.is_keyword("group", "order", "having", "union", "offset") or self.is_keyword("join") or self.is_op(","):
            raise select_error("UnsupportedSyntax")
        if self.accept_keyword("limit"):
            if self.is_op("-") and self.tokens[self.at + 1].kind == "int":
                raise select_error("EvaluatorNegativeLimit")
            token = self.advance()
            if token.kind != "int":
                raise select_error("ParseExpectedNumber")
            limit = int(token.value)
        self.accept_op(";")
        if self.token.kind != "eof":
            raise select_error("ParseUnexpectedToken")
        if projections is not None:
            aggregated = [p for p in projections if contains_aggregate(p.expr)]
            if aggregated and len(aggregated) != len(projections):
                raise select_error("UnsupportedSyntax")
            if any(refers_to_record(p.expr) for p in aggregated):
                raise select_error("UnsupportedSyntax")
        if where is not None and contains_aggregate(where):
            raise select_error("UnsupportedSyntax")
        return Query(projections, source, alias, where, limit)

    def select_list(self) -> tuple[Projection, ...] | None:
        if self.accept_op("*"):
            if self.is_op(","):
                raise select_error("ParseAsteriskIsNotAloneInSelectList")
            return None
        items = [self.projection()]
        while self.accept_op(","):
            if self.is_op("*"):
                raise select_error("ParseAsteriskIsNotAloneInSelectList")
            items.append(self.projection())
        return tuple(items)

    def projection(self) -> Projection:
        expr = self.expression()
        alias = None
        if self.accept_keyword("as"):
            if self.token.kind not in ("ident", "qident"):
                raise select_error("ParseExpectedIdentForAlias")
            alias = self.advance().value
        elif self.token.kind in ("ident", "qident"):
            alias = self.advance().value
        return Projection(expr, alias)

    def source(self) -> tuple[tuple[Step, ...], str | None]:
        token = self.advance()
        if token.kind not in ("ident", "qident"):
            raise select_error("ParseUnexpectedToken" if token.kind != "eof" else "ParseExpectedExpression")
        steps = self.path_steps(allow_wildcard=True)
        alias = None
        if self.accept_keyword("as"):
            if self.token.kind not in ("ident", "qident"):
                raise select_error("ParseExpectedIdentForAlias")
            alias = self.advance().value
        elif self.token.kind in ("ident", "qident"):
            alias = self.advance().value
        return tuple(steps), alias

    def path_steps(self, allow_wildcard: bool) -> list[Step]:
        steps: list[Step] = []
        while True:
            if self.accept_op("."):
                token = self.advance()
                if token.kind in ("ident", "keyword"):
                    steps.append(Step("name", token.value))
                elif token.kind == "qident":
                    steps.append(Step("name", token.value, quoted=True))
                elif token.kind == "op" and token.value == "*":
                    raise select_error("UnsupportedSyntax")
                else:
                    raise select_error("ParseInvalidPathComponent")
            elif self.accept_op("["):
                token = self.advance()
                if token.kind == "int":
                    steps.append(Step("index", index=int(token.value)))
                elif token.kind == "string":
                    steps.append(Step("name", token.value, quoted=True))
                elif token.kind == "op" and token.value == "*":
                    if not allow_wildcard:
                        raise select_error("UnsupportedSyntax")
                    steps.append(Step("wild"))
                else:
                    raise select_error("ParseInvalidPathComponent")
                self.expect_op("]")
            else:
                return steps

    # -- expressions
    def expression(self) -> Expr:
        left = self.conjunction()
        while self.accept_keyword("or"):
            left = Binary("or", left, self.conjunction())
        return left

    def conjunction(self) -> Expr:
        left = self.negation()
        while self.accept_keyword("and"):
            left = Binary("and", left, self.negation())
        return left

    def negation(self) -> Expr:
        if self.accept_keyword("not"):
            return Unary("not", self.negation())
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.additive()
        while True:
            if self.is_op(*_COMPARISONS):
                op = self.advance().value
                left = Binary("<>" if op == "!=" else op, left, self.additive())
                continue
            if self.accept_keyword("is"):
                negated = self.accept_keyword("not")
                token = self.advance()
                if token.kind != "keyword" or token.value not in ("null", "missing", "true", "false"):
                    raise select_error("ParseUnexpectedToken" if token.kind != "eof" else "ParseExpectedExpression")
                left = Is(left, token.value, negated)
                continue
            negated = False
            if self.is_keyword("not") and self.tokens[self.at + 1].kind == "keyword" and \
                    self.tokens[self.at + 1].value in ("like", "in", "between"):
                self.advance()
                negated = True
            if self.accept_keyword("like"):
                pattern = self.additive()
                escape = self.additive() if self.accept_keyword("escape") else None
                left = Like(left, pattern, escape, negated)
            elif self.accept_keyword("in"):
                self.expect_op("(")
                items = [self.expression()]
                while self.accept_op(","):
                    items.append(self.expression())
                self.expect_op(")", "ParseExpectedRightParenBuiltinFunctionCall")
                left = In(left, tuple(items), negated)
            elif self.accept_keyword("between"):
                low = self.additive()
                self.expect_keyword("and")
                left = Between(left, low, self.additive(), negated)
            else:
                return left

    def additive(self) -> Expr:
        left = self.multiplicative()
        while self.is_op("+", "-", "||"):
            op = self.advance().value
            left = Binary(op, left, self.multiplicative())
        return left

    def multiplicative(self) -> Expr:
        left = self.unary()
        while self.is_op("*", "/", "%"):
            op = self.advance().value
            left = Binary(op, left, self.unary())
        return left

    def unary(self) -> Expr:
        if self.is_op("-", "+"):
            op = self.advance().value
            operand = self.unary()
            if isinstance(operand, Literal) and op == "-" and isinstance(operand.value, (int, float, Decimal)):
                return Literal(-operand.value)
            return Unary(op, operand)
        return self.primary()

    def primary(self) -> Expr:
        token = self.token
        if token.kind == "eof":
            raise select_error("ParseExpectedExpression")
        if token.kind == "int":
            self.advance()
            return Literal(int(token.value))
        if token.kind == "decimal":
            self.advance()
            return Literal(Decimal(token.value))
        if token.kind == "float":
            self.advance()
            return Literal(float(token.value))
        if token.kind == "string":
            self.advance()
            return Literal(token.value)
        if token.kind == "ion":
            self.advance()
            return Literal(ion_literal(token.value))
        if token.kind == "op" and token.value == "(":
            self.advance()
            inner = self.expression()
            self.expect_op(")", "ParseExpectedRightParenBuiltinFunctionCall")
            return inner
        if token.kind == "keyword":
            constants = {"null": None, "missing": MISSING, "true": True, "false": False}
            if token.value in constants:
                self.advance()
                return Literal(constants[token.value])
            if token.value == "cast":
                self.advance()
                return self.cast()
            if token.value == "case":
                self.advance()
                return self.case()
            raise select_error("ParseExpectedExpression" if token.value in ("from", "where", "limit")
                               else "ParseUnexpectedToken")
        if token.kind in ("ident", "qident"):
            self.advance()
            if token.kind == "ident" and self.is_op("("):
                return self.call(token.value.lower())
            first = Step("name", token.value, quoted=token.kind == "qident")
            return Path((first, *self.path_steps(allow_wildcard=False)))
        raise select_error("ParseExpectedExpression" if token.value in (")", ",") else "ParseUnexpectedToken")

    def cast(self) -> Expr:
        self.expect_op("(", "ParseExpectedLeftParenAfterCast")
        value = self.expression()
        self.expect_keyword("as")
        type_token = self.advance()
        type_name = type_token.value.upper()
        if type_token.kind not in ("ident", "keyword") or type_name not in CAST_TYPES:
            raise select_error("ParseExpectedTypeName")
        if self.accept_op("("):  # DECIMAL(p, s): S3 Select ignores precision and scale
            while not self.accept_op(")"):
                if self.advance().kind == "eof":
                    raise select_error("ParseExpectedRightParenBuiltinFunctionCall")
        self.expect_op(")", "ParseExpectedRightParenBuiltinFunctionCall")
        return Cast(value, type_name)

    def case(self) -> Expr:
        operand = None if self.is_keyword("when") else self.expression()
        whens: list[tuple[Expr, Expr]] = []
        while self.accept_keyword("when"):
            condition = self.expression()
            self.expect_keyword("then")
            whens.append((condition, self.expression()))
        if not whens:
            raise select_error("ParseExpectedKeyword")
        default = self.expression() if self.accept_keyword("else") else None
        self.expect_keyword("end")
        return Case(operand, tuple(whens), default)

    def call(self, name: str) -> Expr:
        self.expect_op("(")
        if name in AGGREGATES:
            return self.aggregate(name)
        if name not in FUNCTIONS:
            raise select_error("UnsupportedFunction")
        special = {"substring": self.substring_args, "trim": self.trim_args, "extract": self.extract_args,
                   "date_add": self.date_part_args, "date_diff": self.date_part_args}.get(name)
        args = special() if special else self.arguments()
        least, most = FUNCTIONS[name]
        if len(args) < least or (most is not None and len(args) > most):
            raise select_error("EvaluatorInvalidArguments")
        return Call(name, tuple(args))

    def arguments(self) -> list[Expr]:
        args: list[Expr] = []
        if self.accept_op(")"):
            return args
        args.append(self.expression())
        while self.accept_op(","):
            args.append(self.expression())
        self.expect_op(")", "ParseExpectedRightParenBuiltinFunctionCall")
        return args

    def aggregate(self, name: str) -> Expr:
        if self.accept_op("*"):
            if name != "count":
                raise select_error("ParseUnsupportedCallWithStar")
            self.expect_op(")", "ParseExpectedRightParenBuiltinFunctionCall")
            return Aggregate(name, None)
        if self.is_keyword("distinct"):
            raise select_error("UnsupportedSyntax")
        args = self.arguments()
        if len(args) != 1:
            raise select_error("ParseNonUnaryAgregateFunctionCall")
        if contains_aggregate(args[0]):
            raise select_error("UnsupportedSyntax")
        return Aggregate(name, args[0])

    def substring_args(self) -> list[Expr]:
        args = [self.expression()]
        if self.accept_keyword("from"):
            args.append(self.expression())
            if self.accept_keyword("for"):
                args.append(self.expression())
            self.expect_op(")", "ParseExpectedRightParenBuiltinFunctionCall")
            return args
        while self.accept_op(","):
            args.append(self.expression())
        self.expect_op(")", "ParseExpectedRightParenBuiltinFunctionCall")
        return args

    def trim_args(self) -> list[Expr]:
        """TRIM([[LEADING|TRAILING|BOTH] [chars] FROM] s) as (s, where, chars)."""
        where = "both"
        if self.is_keyword("leading", "trailing", "both"):
            where = self.advance().value
            chars = None if self.is_keyword("from") else self.expression()
            self.expect_keyword("from")
            value = self.expression()
        else:
            value = self.expression()
            chars = None
            if self.accept_keyword("from"):
                chars, value = value, self.expression()
        self.expect_op(")", "ParseExpectedRightParenBuiltinFunctionCall")
        return [value, Literal(where), chars if chars is not None else Literal(None)]

    def date_part(self) -> Literal:
        token = self.advance()
        if token.kind not in ("ident", "keyword") or token.value.lower() not in DATE_PARTS:
            raise select_error("IncorrectSqlFunctionArgumentType")
        return Literal(token.value.lower())

    def extract_args(self) -> list[Expr]:
        part = self.date_part()
        self.expect_keyword("from")
        value = self.expression()
        self.expect_op(")", "ParseExpectedRightParenBuiltinFunctionCall")
        return [part, value]

    def date_part_args(self) -> list[Expr]:
        args: list[Expr] = [self.date_part()]
        while self.accept_op(","):
            args.append(self.expression())
        self.expect_op(")", "ParseExpectedRightParenBuiltinFunctionCall")
        return args

