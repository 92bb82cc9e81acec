"""A CloudWatch Logs Insights subset, run over stored events at StartQuery.

Commands, joined with ``|``: ``fields``, ``filter``, ``parse`` (glob ``"... * ..."`` or regex
``/(?<name>...)/``), ``stats`` (``count``, ``count_distinct``, ``sum``, ``avg``, ``min``, ``max``,
``by`` fields and ``bin(5m)``), ``sort``, ``limit``, ``display``. Filter expressions compare
with ``= != < > <= >=``, match with ``like "text"`` / ``like /regex/`` / ``=~ /regex/``, test
``in [...]`` and ``ispresent(f)``, and combine with ``and``, ``or``, ``not`` and parentheses.
Every event has ``@timestamp``, ``@message``, ``@logStream``, ``@log``, ``@ingestionTime``; the
fields of a JSON message are discovered (nested ones as ``a.b``).

A query that does not parse raises ``QueryError`` (MalformedQueryException).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]


class QueryError(ValueError):
    """The query is not valid Logs Insights syntax (or uses what this subset lacks)."""


@dataclass
class Plan:
    steps: list[Callable[[list[Row]], list[Row]]] = field(default_factory=list)
    display: list[str] | None = None
    limit: int | None = None


# -- lexing -------------------------------------------------------------------------------
_TOKEN = re.compile(r'''\s*(?:(?P<regex>/(?:[^/\\]|\\.)*/i?)|"(?P<dq>(?:[^"\\]|\\.)*)"'''
                    r'''|'(?P<sq>(?:[^'\\]|\\.)*)'|`(?P<bq>[^`]*)`'''
                    r'''|(?P<num>-?\d+(?:\.\d+)?(?![\w.]))|(?P<op><=|>=|!=|=~|==|[=<>(),\[\]*+/-])|(?P<word>[@\w.$]+))''')


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise QueryError(f"unexpected character at: {text[pos:pos + 20]!r}")
        kind = match.lastgroup or "op"
        value = match.group(kind)
        if kind in ("dq", "sq"):
            kind, value = "str", value.replace('\\"', '"').replace("\\'", "'")
        elif kind == "bq":
            kind = "word"
        out.append((kind, value))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        at = self.pos + offset
        return self.tokens[at] if at < len(self.tokens) else None

    def next(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise QueryError("unexpected end of query")
        self.pos += 1
        return token

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1].lower() in words

    def at_op(self, op: str) -> bool:
        return self.peek() == ("op", op)

    def expect_op(self, op: str) -> None:
        token = self.next()
        if token != ("op", op):
            raise QueryError(f"expected '{op}', found '{token[1]}'")

    def done(self) -> bool:
        return self.pos >= len(self.tokens)


# -- values ---------------------------------------------------------------------------------
def _regex(text: str) -> re.Pattern[str]:
    flags = re.IGNORECASE if text.endswith("i") else 0
    body = text[1:-2] if text.endswith("i") else text[1:-1]
    body = re.sub(r"\(\?<(\w+)>", r"(?P<\1>", body)  # Insights' named groups
    try:
        return re.compile(body, flags)
    except re.error as exc:
        raise QueryError(f"invalid regular expression {text}: {exc}") from None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _compare(left: Any, op: str, right: Any) -> bool:
    if left is None:
        return op == "!="
    a, b = _number(left), _number(right)
    x: Any  # both numbers or both strings
    y: Any
    if a is not None and b is not None:
        x, y = a, b
    else:
        x, y = str(left), str(right)
    return bool({"=": x == y, "==": x == y, "!=": x != y, "<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op])


Expr = Callable[[Row], Any]


def _operand(parser: _Parser) -> Expr:
    kind, value = parser.next()
    if kind == "str":
        return lambda row: value
    if kind == "num":
        number = float(value) if "." in value else int(value)
        return lambda row: number
    if kind == "word":
        if parser.at_op("("):
            return _function(parser, value.lower())
        return lambda row: row.get(value)
    raise QueryError(f"unexpected '{value}'")


def _function(parser: _Parser, name: str) -> Expr:
    parser.expect_op("(")
    args: list[Expr] = []
    while not parser.at_op(")"):
        args.append(_operand(parser))
        if parser.at_op(","):
            parser.next()
    parser.expect_op(")")
    simple: dict[str, Callable[..., Any]] = {
        "ispresent": lambda v: v is not None, "isempty": lambda v: v is None or v == "",
        "tolower": lambda v: None if v is None else str(v).lower(),
        "toupper": lambda v: None if v is None else str(v).upper(),
        "strlen": lambda v: None if v is None else len(str(v)),
        "abs": lambda v: None if _number(v) is None else abs(_number(v)),  # type: ignore[arg-type]
    }
    if name not in simple or len(args) != 1:
        raise QueryError(f"unsupported function {name}()")
    fn, arg = simple[name], args[0]
    return lambda row: fn(arg(row))


def _condition(parser: _Parser) -> Expr:
    parts = [_conjunction(parser)]
    while parser.at_word("or"):
        parser.next()
        parts.append(_conjunction(parser))
    return parts[0] if len(parts) == 1 else (lambda row: any(p(row) for p in parts))


def _conjunction(parser: _Parser) -> Expr:
    parts = [_negation(parser)]
    while parser.at_word("and"):
        parser.next()
        parts.append(_negation(parser))
    return parts[0] if len(parts) == 1 else (lambda row: all(p(row) for p in parts))


def _negation(parser: _Parser) -> Expr:
    if parser.at_word("not"):
        parser.next()
        inner = _negation(parser)
        return lambda row: not inner(row)
    if parser.at_op("("):
        parser.next()
        inner = _condition(parser)
        parser.expect_op(")")
        return inner
    return _comparison(parser)


def _comparison(parser: _Parser) -> Expr:
    left = _operand(parser)
    token = parser.peek()
    if token is None or token[1] in (")",) or (token[0] == "word" and token[1].lower() in ("and", "or")):
        return lambda row: bool(left(row))
    negate = False
    if parser.at_word("not"):
        parser.next()
        negate = True
    kind, op = parser.next()
    if (kind == "word" and op.lower() == "like") or op == "=~":
        kind, value = parser.next()
        if kind == "regex":
            pattern = _regex(value)
            test: Expr = lambda row: (v := left(row)) is not None and pattern.search(str(v)) is not None
        elif kind == "str":
            test = lambda row: (v := left(row)) is not None and value in str(v)
        else:
            raise QueryError(f"like needs a string or /regex/, not '{value}'")
    elif kind == "word" and op.lower() == "in":
        parser.expect_op("[")
        options: list[Expr] = []
        while not parser.at_op("]"):
            options.append(_operand(parser))
            if parser.at_op(","):
                parser.next()
        parser.expect_op("]")
        test = lambda row: any(_compare(left(row), "=", o(row)) for o in options)
    elif kind == "op" and op in ("=", "==", "!=", "<", ">", "<=", ">="):
        right = _operand(parser)
        test = lambda row: _compare(left(row), op, right(row))
    else:
        raise QueryError(f"unexpected '{op}' in a filter")
    return (lambda row: not test(row)) if negate else test


# -- commands -------------------------------------------------------------------------------
def _names(parser: _Parser) -> list[tuple[str, Expr]]:
    """``a, b as c, tolower(d) as e`` -> (output name, expression)."""
    out: list[tuple[str, Expr]] = []
    while not parser.done():
        start = parser.peek()
        expr = _operand(parser)
        name = start[1] if start is not None else ""
        if parser.at_word("as"):
            parser.next()
            name = parser.next()[1]
        out.append((name, expr))
        if parser.at_op(","):
            parser.next()
    return out


def _split_commands(query: str) -> list[str]:
    parts, current, quote = [], "", ""
    for char in query:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'`":
            quote = char
        elif char == "|":
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def compile_query(query: str) -> Plan:
    plan = Plan()
    for command in _split_commands(query):
        name, _, rest = command.partition(" ")
        name = name.lower()
        rest = rest.strip()
        if name == "fields":
            specs = _names(_Parser(rest))
            def with_fields(rows: list[Row], specs: list[tuple[str, Expr]] = specs) -> list[Row]:
                return [dict(r, **{n: e(r) for n, e in specs}) for r in rows]
            plan.steps.append(with_fields)
            plan.display = (plan.display or []) + [n for n, _ in specs]
        elif name == "display":
            specs = _names(_Parser(rest))
            plan.display = [n for n, _ in specs]
        elif name == "filter":
            parser = _Parser(rest)
            condition = _condition(parser)
            if not parser.done():
                raise QueryError(f"unexpected '{parser.peek()[1]}' in filter")  # type: ignore[index]
            def matching(rows: list[Row], c: Expr = condition) -> list[Row]:
                return [r for r in rows if c(r)]
            plan.steps.append(matching)
        elif name == "parse":
            plan.steps.append(_parse_step(rest))
        elif name == "stats":
            step, columns = _stats_step(rest)
            plan.steps.append(step)
            plan.display = columns
        elif name == "sort":
            plan.steps.append(_sort_step(rest))
        elif name == "limit":
            if not rest.isdigit() or int(rest) < 1:
                raise QueryError(f"limit needs a positive number, not '{rest}'")
            plan.limit = int(rest) if plan.limit is None else min(plan.limit, int(rest))
            def first(rows: list[Row], n: int = int(rest)) -> list[Row]:
                return rows[:n]
            plan.steps.append(first)
        else:
            raise QueryError(f"unsupported command '{name}'")
    return plan


def _parse_step(rest: str) -> Callable[[list[Row]], list[Row]]:
    parser = _Parser(rest)
    source = parser.next()[1]
    kind, pattern_text = parser.next()
    if kind == "regex":
        pattern = _regex(pattern_text)
        names: list[str] = list(pattern.groupindex)
    elif kind == "str":
        if not parser.at_word("as"):
            raise QueryError("parse with a glob pattern needs 'as' and field names")
        parser.next()
        names = [n for n, _ in _names(parser)]
        pieces = pattern_text.split("*")
        if len(pieces) - 1 != len(names):
            raise QueryError("parse: the number of * and of field names differ")
        pattern = re.compile("".join(re.escape(p) + ("(.*?)" if i < len(pieces) - 1 else "")
                                     for i, p in enumerate(pieces)))
    else:
        raise QueryError("parse needs a \"glob\" or /regex/ pattern")

    def step(rows: list[Row]) -> list[Row]:
        out = []
        for row in rows:
            value = row.get(source)
            match = pattern.search(str(value)) if value is not None else None
            extra = dict(zip(names, match.groups(), strict=False)) if match and kind == "str" else (
                match.groupdict() if match else {})
            out.append(dict(row, **extra))
        return out

    return step


_BIN = re.compile(r"^(\d+)(ms|s|m|h|d)$")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def _stats_step(rest: str) -> tuple[Callable[[list[Row]], list[Row]], list[str]]:
    text, _, by_text = rest.partition(" by ")
    aggregates: list[tuple[str, str, Expr | None]] = []
    parser = _Parser(text)
    while not parser.done():
        _kind, fn = parser.next()
        fn = fn.lower()
        parser.expect_op("(")
        argument: Expr | None = None
        label = "*"
        if parser.at_op("*"):
            parser.next()
        else:
            start = parser.peek()
            argument = _operand(parser)
            label = start[1] if start else ""
        parser.expect_op(")")
        name = f"{fn}({label})"
        if parser.at_word("as"):
            parser.next()
            name = parser.next()[1]
        if fn not in ("count", "count_distinct", "sum", "avg", "min", "max"):
            raise QueryError(f"unsupported stats function {fn}()")
        aggregates.append((name, fn, argument))
        if parser.at_op(","):
            parser.next()
    keys: list[tuple[str, Expr]] = []
    if by_text.strip():
        by_parser = _Parser(by_text)
        while not by_parser.done():
            token = by_parser.peek()
            if token is not None and token[0] == "word" and token[1].lower() == "bin":
                by_parser.next()
                by_parser.expect_op("(")
                size = by_parser.next()[1]
                by_parser.expect_op(")")
                match = _BIN.match(size)
                if match is None:
                    raise QueryError(f"invalid bin size '{size}'")
                width = int(match.group(1)) * _UNIT_MS[match.group(2)]
                name = f"bin({size})"
                if by_parser.at_word("as"):
                    by_parser.next()
                    name = by_parser.next()[1]
                def binned(row: Row, w: int = width) -> Any:
                    return _format_time((row["@timestamp_ms"] // w) * w)
                keys.append((name, binned))
            else:
                keys += _names(_SingleParser(by_parser))
            if by_parser.at_op(","):
                by_parser.next()

    def step(rows: list[Row]) -> list[Row]:
        groups: dict[tuple[Any, ...], list[Row]] = {}
        for row in rows:
            groups.setdefault(tuple(k(row) for _, k in keys), []).append(row)
        out = []
        for key, members in groups.items():
            result = {name: value for (name, _), value in zip(keys, key, strict=False)}
            for name, fn, argument in aggregates:
                values = [argument(r) for r in members] if argument else [1 for _ in members]
                present = [v for v in values if v is not None]
                numbers = [n for n in (_number(v) for v in present) if n is not None]
                result[name] = {
                    "count": len(present), "count_distinct": len({str(v) for v in present}),
                    "sum": sum(numbers) if numbers else None,
                    "avg": sum(numbers) / len(numbers) if numbers else None,
                    "min": min(numbers) if numbers else None, "max": max(numbers) if numbers else None,
                }[fn]
            out.append(result)
        return out

    return step, [name for name, _ in keys] + [name for name, _, _ in aggregates]


class _SingleParser(_Parser):
    """One ``by`` item of a shared parser (stops at the next comma)."""

    def __init__(self, outer: _Parser) -> None:
        self.outer = outer
        self.tokens = outer.tokens
        end = outer.pos
        while end < len(outer.tokens) and outer.tokens[end] != ("op", ","):
            end += 1
        self.tokens = outer.tokens[:end]
        self.pos = outer.pos

    def next(self) -> tuple[str, str]:
        token = super().next()
        self.outer.pos = self.pos
        return token


def _sort_step(rest: str) -> Callable[[list[Row]], list[Row]]:
    orders: list[tuple[str, bool]] = []
    for part in rest.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise QueryError(f"invalid sort '{part.strip()}'")
        orders.append((words[0], len(words) == 2 and words[1].lower() == "desc"))

    def key(value: Any) -> tuple[int, Any]:
        number = _number(value)
        return (0, number) if number is not None else (1, "" if value is None else str(value))

    def step(rows: list[Row]) -> list[Row]:
        for name, descending in reversed(orders):
            sort_name = "@timestamp_ms" if name == "@timestamp" else name
            rows = sorted(rows, key=lambda r: key(r.get(sort_name)), reverse=descending)
        return rows

    return step


# -- rows -----------------------------------------------------------------------------------
def _format_time(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _flatten(prefix: str, value: Any, into: Row) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, into)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _flatten(f"{prefix}.{index}", inner, into)
    elif prefix:
        into[prefix] = value


def row_of(group: str, stream: str, timestamp: int, message: str, ingestion: int, ptr: str) -> Row:
    row: Row = {"@timestamp": _format_time(timestamp), "@timestamp_ms": timestamp, "@message": message,
                "@logStream": stream, "@log": group, "@ingestionTime": _format_time(ingestion), "@ptr": ptr}
    text = message.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if isinstance(document, dict):
            _flatten("", document, row)
    return row


def run(plan: Plan, rows: Iterable[Row], limit: int) -> list[list[dict[str, str]]]:
    """The result rows as GetQueryResults answers them (lists of ``{field, value}``)."""
    current = sorted(rows, key=lambda r: r["@timestamp_ms"], reverse=True)
    for step in plan.steps:
        current = step(current)
    current = current[:limit]
    out = []
    for row in current:
        names = plan.display if plan.display is not None else ["@timestamp", "@message"]
        cells = [{"field": name, "value": _text(row.get(name))} for name in names if row.get(name) is not None]
        if plan.display is None or "@ptr" not in names:
            if "@ptr" in row:
                cells.append({"field": "@ptr", "value": str(row["@ptr"])})
        out.append(cells)
    return out


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
