"""Metric math: the expression language of GetMetricData and metric-math alarms.

An expression combines the queries of the same request by id with numbers, ``+ - * / ^``,
parentheses, arrays ``[m1, m2]`` and functions. Values are scalars, time series (timestamp ->
value) or arrays of time series, as AWS types them:

* arithmetic between two series keeps the timestamps both have; with a scalar it maps;
  on an array it applies to each member;
* ``SUM AVG MIN MAX STDDEV`` of an array are the series of that statistic per timestamp,
  of a single series the scalar over all its points;
* ``METRICS()`` / ``METRICS('text')`` is the array of the request's MetricStat queries (those
  whose id contains the text); ``FILL(x, value | REPEAT | LINEAR)`` fills the periods of the
  range that have no value; ``RATE`` / ``DIFF`` / ``DIFF_TIME`` compare each point with the one
  before; ``RUNNING_SUM``; ``ABS CEIL FLOOR LOG LOG10 EXP``; ``PERIOD(x)``.

Errors raise ``MathError`` with the text the handler wraps in AWS's message.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

Series = dict[float, float]
Value = float | Series | list[Series] | str

_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)"
                    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<string>'[^']*'|\"[^\"]*\")|(?P<op>[-+*/^(),\[\]]))")


class MathError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Context:
    """What an expression can reach: the other queries' results by id, the MetricStat ones in
    request order (``METRICS()``), the period timestamps of the range and the period."""

    resolve: Callable[[str], Value | None]
    metric_ids: list[str]
    timestamps: list[float]
    period: int


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            raise MathError(f"Unrecognized character at position {position + 1}: {text[position:position + 10]!r}")
        kind = found.lastgroup or "op"
        tokens.append((kind, found.group(kind)))
        position = found.end()
    return tokens


class _Parser:
    def __init__(self, text: str, context: Context) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.context = context

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise MathError("Unexpected end of expression" + (f", expected '{value}'" if value else ""))
        if value is not None and token[1] != value:
            raise MathError(f"Unexpected token '{token[1]}', expected '{value}'")
        self.at += 1
        return token

    def parse(self) -> Value:
        if not self.tokens:
            raise MathError("Empty expression")
        value = self.expression()
        if self.peek() is not None:
            raise MathError(f"Unexpected token '{self.peek()[1]}'")  # type: ignore[index]
        return value

    def expression(self) -> Value:
        value = self.term()
        while (token := self.peek()) is not None and token[1] in "+-" and token[0] == "op":
            self.take()
            value = binary(token[1], value, self.term())
        return value

    def term(self) -> Value:
        value = self.power()
        while (token := self.peek()) is not None and token[1] in "*/" and token[0] == "op":
            self.take()
            value = binary(token[1], value, self.power())
        return value

    def power(self) -> Value:
        value = self.unary()
        token = self.peek()
        if token is not None and token == ("op", "^"):
            self.take()
            value = binary("^", value, self.power())
        return value

    def unary(self) -> Value:
        token = self.peek()
        if token == ("op", "-"):
            self.take()
            return binary("*", -1.0, self.unary())
        if token == ("op", "+"):
            self.take()
            return self.unary()
        return self.primary()

    def primary(self) -> Value:
        kind, text = self.take()
        if kind == "number":
            return float(text)
        if kind == "string":
            return text[1:-1]
        if kind == "name":
            if self.peek() == ("op", "("):
                self.take()
                arguments = self.arguments(")")
                return call(text, arguments, self.context)
            if text in ("REPEAT", "LINEAR"):
                return text
            found = self.context.resolve(text)
            if found is None:
                raise MathError(f"Unknown metric or expression: {text}")
            return found
        if text == "(":
            value = self.expression()
            self.take(")")
            return value
        if text == "[":
            members = self.arguments("]")
            array: list[Series] = []
            for member in members:
                if isinstance(member, dict):
                    array.append(member)
                elif isinstance(member, list):
                    array.extend(member)
                else:
                    raise MathError("An array may only contain time series")
            return array
        raise MathError(f"Unexpected token '{text}'")

    def arguments(self, close: str) -> list[Value]:
        values: list[Value] = []
        if self.peek() == ("op", close):
            self.take()
            return values
        while True:
            values.append(self.expression())
            token = self.take()
            if token[1] == close:
                return values
            if token[1] != ",":
                raise MathError(f"Unexpected token '{token[1]}', expected ',' or '{close}'")


def _apply(op: str, a: float, b: float) -> float | None:
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a / b if b != 0 else None
        result = a ** b
        return float(result) if not isinstance(result, complex) else None
    except OverflowError:
        return None


def _series_op(op: str, a: Series | float, b: Series | float) -> Series | float | None:
    if isinstance(a, float) and isinstance(b, float):
        return _apply(op, a, b)
    out: Series = {}
    if isinstance(a, dict) and isinstance(b, dict):
        for stamp, left in a.items():
            right = b.get(stamp)
            if right is not None and (value := _apply(op, left, right)) is not None:
                out[stamp] = value
    elif isinstance(a, dict):
        for stamp, left in a.items():
            if (value := _apply(op, left, b)) is not None:  # type: ignore[arg-type]
                out[stamp] = value
    else:
        for stamp, right in b.items():  # type: ignore[union-attr]
            if (value := _apply(op, a, right)) is not None:
                out[stamp] = value
    return out


def binary(op: str, a: Value, b: Value) -> Value:
    if isinstance(a, str) or isinstance(b, str):
        raise MathError(f"Operator '{op}' cannot be applied to a string")
    if isinstance(a, list) and isinstance(b, list):
        raise MathError(f"Operator '{op}' cannot be applied to two arrays of time series")
    if isinstance(a, list):
        return [_series_op(op, member, b) for member in a]  # type: ignore[misc, arg-type]
    if isinstance(b, list):
        return [_series_op(op, a, member) for member in b]  # type: ignore[misc]
    result = _series_op(op, a, b)
    if result is None:  # scalar division by zero and the like: no value
        raise MathError(f"Operation '{op}' has no result for these values")
    return result


def _reduce(values: list[float], name: str) -> float:
    if name == "SUM":
        return sum(values)
    if name == "AVG":
        return sum(values) / len(values)
    if name == "MIN":
        return min(values)
    if name == "MAX":
        return max(values)
    mean = sum(values) / len(values)
    return math.sqrt(sum((value - mean) ** 2 for value in values) / len(values))


def _only(name: str, arguments: list[Value], count: int) -> None:
    if len(arguments) != count:
        raise MathError(f"Function {name} takes {count} argument{'s' if count != 1 else ''}, "
                        f"{len(arguments)} given")


def _series_of(name: str, value: Value) -> list[Series] | Series:
    if isinstance(value, (dict, list)):
        return value
    raise MathError(f"Function {name} expects a time series or an array of time series")


def _each(value: list[Series] | Series, fn: Callable[[Series], Series]) -> list[Series] | Series:
    return [fn(member) for member in value] if isinstance(value, list) else fn(value)


def call(name: str, arguments: list[Value], context: Context) -> Value:
    upper = name.upper()
    if upper in ("SUM", "AVG", "MIN", "MAX", "STDDEV"):
        _only(upper, arguments, 1)
        value = arguments[0]
        if isinstance(value, float):
            return value
        if isinstance(value, dict):
            if not value:
                raise MathError(f"Function {upper} has no data points to reduce")
            return _reduce(list(value.values()), upper)
        series = _series_of(upper, value)
        assert isinstance(series, list)
        stamps = sorted({stamp for member in series for stamp in member})
        out: Series = {}
        for stamp in stamps:
            present = [member[stamp] for member in series if stamp in member]
            out[stamp] = _reduce(present, upper)
        return out
    if upper == "METRICS":
        if len(arguments) > 1 or (arguments and not isinstance(arguments[0], str)):
            raise MathError("Function METRICS takes no argument or one string")
        text = arguments[0] if arguments else ""
        found: list[Series] = []
        for metric_id in context.metric_ids:
            if isinstance(text, str) and text in metric_id:
                resolved = context.resolve(metric_id)
                if isinstance(resolved, dict):
                    found.append(resolved)
        return found
    if upper in ("ABS", "CEIL", "FLOOR", "LOG", "LOG10", "EXP"):
        _only(upper, arguments, 1)
        fn: Callable[[float], float] = {"ABS": abs, "CEIL": math.ceil, "FLOOR": math.floor, "LOG": math.log,
                                        "LOG10": math.log10, "EXP": math.exp}[upper]  # type: ignore[assignment]

        def mapped(value: float) -> float | None:
            try:
                return float(fn(value))
            except (ValueError, OverflowError):
                return None

        argument = arguments[0]
        if isinstance(argument, float):
            result = mapped(argument)
            if result is None:
                raise MathError(f"Function {upper} has no result for {argument}")
            return result
        return _each(_series_of(upper, argument),
                     lambda series: {t: r for t, v in series.items() if (r := mapped(v)) is not None})
    if upper in ("RATE", "DIFF", "DIFF_TIME", "RUNNING_SUM"):
        _only(upper, arguments, 1)
        return _each(_series_of(upper, arguments[0]), lambda series: _sequential(upper, series))
    if upper == "FILL":
        _only(upper, arguments, 2)
        filler = arguments[1]
        if not isinstance(filler, (float, str)) or (isinstance(filler, str) and filler not in ("REPEAT", "LINEAR")):
            raise MathError("The second argument of FILL must be a number, REPEAT or LINEAR")
        return _each(_series_of(upper, arguments[0]), lambda series: _fill(series, filler, context.timestamps))
    if upper == "PERIOD":
        _only(upper, arguments, 1)
        return float(context.period)
    raise MathError(f"Unknown function: {name}")


def _sequential(kind: str, series: Series) -> Series:
    out: Series = {}
    stamps = sorted(series)
    if kind == "RUNNING_SUM":
        total = 0.0
        for stamp in stamps:
            total += series[stamp]
            out[stamp] = total
        return out
    for before, stamp in itertools.pairwise(stamps):
        change = series[stamp] - series[before]
        elapsed = stamp - before
        out[stamp] = change if kind == "DIFF" else elapsed if kind == "DIFF_TIME" else change / elapsed
    return out


def _fill(series: Series, filler: float | str, timestamps: list[float]) -> Series:
    out: Series = dict(series)
    known = sorted(series)
    for stamp in timestamps:
        if stamp in out:
            continue
        if isinstance(filler, float):
            out[stamp] = filler
            continue
        before = [t for t in known if t < stamp]
        after = [t for t in known if t > stamp]
        if filler == "REPEAT":
            if before:
                out[stamp] = series[before[-1]]
        elif before and after:
            low, high = before[-1], after[0]
            out[stamp] = series[low] + (series[high] - series[low]) * (stamp - low) / (high - low)
    return dict(sorted(out.items()))


def evaluate(text: str, context: Context) -> Value:
    """The value of the expression ``text``; MathError when it cannot be evaluated."""
    return _Parser(text, context).parse()


def references(text: str) -> set[str]:
    """The query ids an expression names (for ordering evaluation and finding cycles)."""
    try:
        tokens = _tokens(text)
    except MathError:
        return set()
    names: set[str] = set()
    for index, (kind, value) in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if kind == "name" and following != ("op", "(") and value not in ("REPEAT", "LINEAR"):
            names.add(value)
    return names


def uses_all_metrics(text: str) -> bool:
    return bool(re.search(r"\bMETRICS\s*\(", text, re.IGNORECASE))
