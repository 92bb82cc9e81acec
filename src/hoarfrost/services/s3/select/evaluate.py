"""A parsed query compiled into closures, once per request, then run record by record.

A record is a list of text fields for CSV input (names resolved to positions when the query
is bound to the header) and any JSON value for JSON input. ``Bound.rows`` turns a stream of
records into output rows, lists of ``(name, value)`` pairs, stopping as soon as LIMIT is met;
an aggregate query yields its one row after the last record.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any

from hoarfrost.services.s3.select.errors import select_error
from hoarfrost.services.s3.select.functions import SCALARS, utcnow_of
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
    Query,
    Step,
    Unary,
)
from hoarfrost.services.s3.select.values import (
    MISSING,
    absent,
    as_number,
    cast,
    checked_int,
    compare,
    equal,
    to_text,
)

Fn = Callable[[Any], Any]
Row = list[tuple[str, Any]]

_ORDERS: dict[str, Callable[[int], bool]] = {
    "<": lambda c: c < 0, "<=": lambda c: c <= 0, ">": lambda c: c > 0, ">=": lambda c: c >= 0,
    "=": lambda c: c == 0, "<>": lambda c: c != 0}


def truth(value: Any) -> bool | None:
    """A value as a condition: True, False, or None (NULL, MISSING or not a boolean)."""
    return value if isinstance(value, bool) else None


class Bound:
    """A query bound to its input's shape: CSV (with or without usable header names) or JSON."""

    def __init__(self, query: Query, *, csv: bool, header: list[str] | None, now: dt.datetime) -> None:
        self.query = query
        self.csv = csv
        self.header = header
        self.utcnow = utcnow_of(now)
        self._exact = {name: i for i, name in reversed(list(enumerate(header or [])))}
        self._folded = {name.lower(): i for i, name in reversed(list(enumerate(header or [])))}
        self._aggregates: list[tuple[str, Fn | None]] = []
        self._results: list[Any] = []
        self.where = self.compile(query.where) if query.where is not None else None
        self.projections: list[tuple[str, Fn]] | None = None
        if query.projections is not None:
            self.projections = [(self._name(p.expr, p.alias, i), self.compile(p.expr))
                                for i, p in enumerate(query.projections, 1)]

    # -- running
    def rows(self, records: Iterable[Any]) -> Iterator[Row]:
        limit = self.query.limit
        if limit == 0:
            return
        where = self.where
        if self.query.aggregated:
            accumulators = [_Accumulator(name) for name, _ in self._aggregates]
            arguments = [arg for _, arg in self._aggregates]
            for record in records:
                if where is not None and where(record) is not True:
                    continue
                for accumulator, argument in zip(accumulators, arguments, strict=False):
                    accumulator.add(argument(record) if argument is not None else True)
            self._results[:] = [accumulator.result() for accumulator in accumulators]
            yield [(name, fn(None)) for name, fn in self.projections or ()]
            return
        emitted = 0
        projections = self.projections
        for record in records:
            if where is not None and where(record) is not True:
                continue
            yield self.star(record) if projections is None else [(name, fn(record)) for name, fn in projections]
            emitted += 1
            if limit is not None and emitted >= limit:
                return

    def star(self, record: Any) -> Row:
        if self.csv:
            header = self.header or ()
            return [(header[i] if i < len(header) else f"_{i + 1}", value) for i, value in enumerate(record)]
        if isinstance(record, dict):
            return list(record.items())
        return [("_1", record)]

    # -- compiling
    def _name(self, expr: Expr, alias: str | None, position: int) -> str:
        if alias:
            return alias
        if isinstance(expr, Path):
            steps = self._relative(expr.steps)
            if steps and steps[-1].kind == "name":
                return steps[-1].name
        return f"_{position}"

    def _relative(self, steps: tuple[Step, ...]) -> tuple[Step, ...]:
        """The steps below the record: ``s.name`` with FROM alias ``s`` is ``name``."""
        first = steps[0]
        alias = self.query.alias
        if alias is not None and first.kind == "name":
            if (first.name == alias) if first.quoted else (first.name.lower() == alias.lower()):
                return steps[1:]
        return steps

    def compile(self, node: Expr) -> Fn:
        method = getattr(self, "_" + type(node).__name__.lower())
        return method(node)  # type: ignore[no-any-return]

    def _literal(self, node: Literal) -> Fn:
        value = node.value
        return lambda record: value

    def _path(self, node: Path) -> Fn:
        steps = self._relative(node.steps)
        if not steps:
            return lambda record: record
        if self.csv:
            return self._csv_column(steps)
        navigate = _navigator(steps)
        return navigate

    def _csv_column(self, steps: tuple[Step, ...]) -> Fn:
        first = steps[0]
        if first.kind != "name":
            return lambda record: MISSING
        index = self._exact.get(first.name)
        if index is None and not first.quoted:
            index = self._folded.get(first.name.lower())
        if index is None and re.fullmatch(r"_\d+", first.name):
            number = int(first.name[1:])
            if number < 1:
                raise select_error("InvalidColumnIndex")
            index = number - 1
        if index is None or len(steps) > 1:
            return lambda record: MISSING
        position = index

        def column(record: list[str]) -> Any:
            return record[position] if position < len(record) else MISSING

        return column

    def _unary(self, node: Unary) -> Fn:
        operand = self.compile(node.operand)
        if node.op == "not":
            def negate(record: Any) -> Any:
                value = truth(operand(record))
                return None if value is None else not value
            return negate
        sign = -1 if node.op == "-" else 1

        def signed(record: Any) -> Any:
            number = as_number(operand(record))
            return None if number is None else sign * number

        return signed

    def _binary(self, node: Binary) -> Fn:
        left, right = self.compile(node.left), self.compile(node.right)
        op = node.op
        if op == "and":
            def conjunction(record: Any) -> Any:
                a = truth(left(record))
                if a is False:
                    return False
                b = truth(right(record))
                if b is False:
                    return False
                return None if a is None or b is None else True
            return conjunction
        if op == "or":
            def disjunction(record: Any) -> Any:
                a = truth(left(record))
                if a is True:
                    return True
                b = truth(right(record))
                if b is True:
                    return True
                return None if a is None or b is None else False
            return disjunction
        if op == "=":
            return lambda record: equal(left(record), right(record))
        if op == "<>":
            def unequal(record: Any) -> Any:
                same = equal(left(record), right(record))
                return None if same is None else not same
            return unequal
        if op in _ORDERS:
            order = _ORDERS[op]

            def ordered(record: Any) -> Any:
                c = compare(left(record), right(record))
                return None if c is None else order(c)
            return ordered
        if op == "||":
            def concatenate(record: Any) -> Any:
                a, b = left(record), right(record)
                if absent(a) or absent(b):
                    return None
                return to_text(a) + to_text(b)
            return concatenate
        arithmetic = _ARITHMETIC[op]

        def calculate(record: Any) -> Any:
            a, b = as_number(left(record)), as_number(right(record))
            if a is None or b is None:
                return None
            return arithmetic(a, b)
        return calculate

    def _like(self, node: Like) -> Fn:
        value, pattern = self.compile(node.value), self.compile(node.pattern)
        escape = self.compile(node.escape) if node.escape is not None else (lambda record: None)
        negated = node.negated

        def like(record: Any) -> Any:
            text, wanted, escape_char = value(record), pattern(record), escape(record)
            if absent(text) or absent(wanted) or (node.escape is not None and absent(escape_char)):
                return None
            if not isinstance(text, str) or not isinstance(wanted, str):
                return None
            if escape_char is not None and (not isinstance(escape_char, str) or len(escape_char) != 1):
                raise select_error("LikeInvalidInputs")
            matched = like_regex(wanted, escape_char).fullmatch(text) is not None
            return matched != negated
        return like

    def _in(self, node: In) -> Fn:
        value = self.compile(node.value)
        items = [self.compile(item) for item in node.items]
        negated = node.negated

        def within(record: Any) -> Any:
            candidate = value(record)
            unknown = False
            for item in items:
                same = equal(candidate, item(record))
                if same:
                    return not negated
                unknown = unknown or same is None
            return None if unknown else negated
        return within

    def _between(self, node: Between) -> Fn:
        value, low, high = self.compile(node.value), self.compile(node.low), self.compile(node.high)
        negated = node.negated

        def between(record: Any) -> Any:
            v = value(record)
            above, below = compare(v, low(record)), compare(v, high(record))
            if above is None or below is None:
                return None
            return (above >= 0 and below <= 0) != negated
        return between

    def _is(self, node: Is) -> Fn:
        value = self.compile(node.value)
        tests: dict[str, Callable[[Any], bool]] = {
            "null": absent, "missing": lambda v: v is MISSING, "true": lambda v: v is True,
            "false": lambda v: v is False,
        }
        test, negated = tests[node.what], node.negated
        return lambda record: test(value(record)) != negated

    def _cast(self, node: Cast) -> Fn:
        value, type_name = self.compile(node.value), node.type_name
        return lambda record: cast(value(record), type_name)

    def _call(self, node: Call) -> Fn:
        name, args = node.name, node.args
        if name == "utcnow":
            now = self.utcnow
            return lambda record: now()
        function = SCALARS[name]
        if name == "trim":  # (value, where, chars): where is the keyword, fixed when parsed
            value, chars = self.compile(args[0]), self.compile(args[2])
            where = _fixed(args[1])
            return lambda record: function(value(record), where, chars(record))
        if name in ("extract", "date_add", "date_diff"):  # the date part is a keyword, fixed when parsed
            part = _fixed(args[0])
            rest = [self.compile(arg) for arg in args[1:]]
            return lambda record: function(part, *[arg(record) for arg in rest])
        compiled = [self.compile(arg) for arg in args]
        if name == "substring" and len(compiled) == 2:
            compiled.append(lambda record: MISSING)
        return lambda record: function(*[arg(record) for arg in compiled])

    def _aggregate(self, node: Aggregate) -> Fn:
        slot = len(self._aggregates)
        self._aggregates.append((node.name, self.compile(node.arg) if node.arg is not None else None))
        results = self._results
        results.append(None)
        return lambda record: results[slot]

    def _case(self, node: Case) -> Fn:
        operand = self.compile(node.operand) if node.operand is not None else None
        whens = [(self.compile(c), self.compile(r)) for c, r in node.whens]
        default = self.compile(node.default) if node.default is not None else (lambda record: None)

        def choose(record: Any) -> Any:
            subject = operand(record) if operand is not None else None
            for condition, result in whens:
                hit = equal(subject, condition(record)) if operand is not None else truth(condition(record))
                if hit is True:
                    return result(record)
            return default(record)
        return choose


def _fixed(node: Expr) -> Any:
    """A keyword argument the parser turned into a literal (TRIM's side, a date part)."""
    assert isinstance(node, Literal)
    return node.value


def _navigator(steps: tuple[Step, ...]) -> Fn:
    """A path below a JSON record: names (unquoted ones match any case), indexes."""

    def navigate(record: Any) -> Any:
        value = record
        for step in steps:
            if step.kind == "name":
                if not isinstance(value, dict):
                    return MISSING
                found = value.get(step.name, MISSING)
                if found is MISSING and not step.quoted:
                    folded = step.name.lower()
                    found = next((v for k, v in value.items() if k.lower() == folded), MISSING)
                value = found
            elif step.kind == "index":
                if not isinstance(value, list) or step.index >= len(value):
                    return MISSING
                value = value[step.index]
            else:
                return MISSING
            if value is MISSING:
                return MISSING
        return value

    return navigate


def unnest(value: Any, steps: tuple[Step, ...]) -> Iterator[Any]:
    """The records a FROM path picks out of one top-level JSON value: ``[*]`` walks an array
    (the first one, right after S3Object, is each top-level value itself)."""
    if not steps:
        yield value
        return
    step, rest = steps[0], steps[1:]
    if step.kind == "wild":
        if isinstance(value, list):
            for item in value:
                yield from unnest(item, rest)
        return
    found = _navigator((step,))(value)
    if found is not MISSING:
        yield from unnest(found, rest)


def source_records(documents: Iterable[Any], steps: tuple[Step, ...]) -> Iterator[Any]:
    if steps and steps[0].kind == "wild":
        steps = steps[1:]
    if not steps:
        yield from documents
        return
    for document in documents:
        yield from unnest(document, steps)


@functools.lru_cache(maxsize=256)
def like_regex(pattern: str, escape: str | None) -> re.Pattern[str]:
    parts: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if escape is not None and char == escape:
            following = next(chars, None)
            if following is None or following not in ("%", "_", escape):
                raise select_error("LikeInvalidInputs")
            parts.append(re.escape(following))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def _divide(a: Any, b: Any) -> Any:
    if b == 0:
        raise select_error("DivisionByZero")
    if isinstance(a, int) and isinstance(b, int):
        quotient = abs(a) // abs(b)
        return checked_int(quotient if (a >= 0) == (b >= 0) else -quotient)
    return _mixed(a, b, lambda x, y: x / y)


def _modulo(a: Any, b: Any) -> Any:
    if b == 0:
        raise select_error("DivisionByZero")
    if isinstance(a, int) and isinstance(b, int):
        remainder = abs(a) % abs(b)
        return remainder if a >= 0 else -remainder
    return _mixed(a, b, lambda x, y: x % y)


def _mixed(a: Any, b: Any, op: Callable[[Any, Any], Any]) -> Any:
    """Decimal with float is float; int with int stays int (checked for 64-bit overflow)."""
    if isinstance(a, float) or isinstance(b, float):
        return op(float(a), float(b))
    try:
        result = op(a, b)
    except (InvalidOperation, DivisionByZero):
        raise select_error("DivisionByZero") from None
    return checked_int(result) if isinstance(result, int) else result


def _add(x: Any, y: Any) -> Any:
    return x + y


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: _mixed(a, b, _add),
    "-": lambda a, b: _mixed(a, b, lambda x, y: x - y),
    "*": lambda a, b: _mixed(a, b, lambda x, y: x * y),
    "/": _divide,
    "%": _modulo,
}


class _Accumulator:
    """One aggregate's running value: COUNT, SUM, AVG, MIN or MAX over the records that
    passed WHERE. Absent values are skipped; SUM and AVG read numbers (or text that is one)."""

    __slots__ = ("name", "count", "total", "best")

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0
        self.total: Any = 0
        self.best: Any = None

    def add(self, value: Any) -> None:
        if absent(value):
            return
        if self.name == "count":
            self.count += 1
        elif self.name in ("sum", "avg"):
            if type(value) is int and type(self.total) is int:
                self.total = checked_int(self.total + value)
            else:
                number = as_number(value)
                if number is None:
                    raise select_error("IncorrectSqlFunctionArgumentType")
                self.total = _mixed(self.total, number, _add)
            self.count += 1
        else:
            if self.best is None:
                self.best = value
                self.count += 1
                return
            order = compare(value, self.best)
            if order is not None and (order < 0 if self.name == "min" else order > 0):
                self.best = value
            self.count += 1

    def result(self) -> Any:
        if self.name == "count":
            return self.count
        if not self.count:
            return None
        if self.name == "sum":
            return self.total
        if self.name == "avg":
            if isinstance(self.total, float):
                return self.total / self.count
            return Decimal(self.total) / Decimal(self.count)
        return self.best
