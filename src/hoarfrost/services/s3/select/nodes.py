"""The parsed query: small immutable nodes the evaluator compiles into closures once."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True, slots=True)
class Literal:
    value: Any


@dataclasses.dataclass(frozen=True, slots=True)
class Step:
    """One step of a path: ``.name`` (``quoted`` names match case-sensitively), ``[n]``, ``[*]``."""

    kind: str  # "name", "index" or "wild"
    name: str = ""
    index: int = 0
    quoted: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class Path:
    steps: tuple[Step, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-", "+", "not"
    operand: Expr


@dataclasses.dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: Expr
    right: Expr


@dataclasses.dataclass(frozen=True, slots=True)
class Like:
    value: Expr
    pattern: Expr
    escape: Expr | None
    negated: bool


@dataclasses.dataclass(frozen=True, slots=True)
class In:
    value: Expr
    items: tuple[Expr, ...]
    negated: bool


@dataclasses.dataclass(frozen=True, slots=True)
class Between:
    value: Expr
    low: Expr
    high: Expr
    negated: bool


@dataclasses.dataclass(frozen=True, slots=True)
class Is:
    value: Expr
    what: str  # "null", "missing", "true", "false"
    negated: bool


@dataclasses.dataclass(frozen=True, slots=True)
class Cast:
    value: Expr
    type_name: str


@dataclasses.dataclass(frozen=True, slots=True)
class Call:
    name: str  # lower case
    args: tuple[Expr, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Aggregate:
    name: str  # count, sum, avg, min, max
    arg: Expr | None  # None for COUNT(*)


@dataclasses.dataclass(frozen=True, slots=True)
class Case:
    operand: Expr | None
    whens: tuple[tuple[Expr, Expr], ...]
    default: Expr | None


Expr = Literal | Path | Unary | Binary | Like | In | Between | Is | Cast | Call | Aggregate | Case


@dataclasses.dataclass(frozen=True, slots=True)
class Projection:
    expr: Expr
    alias: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class Query:
    """``projections`` None for ``SELECT *``; ``source`` the steps after ``S3Object``."""

    projections: tuple[Projection, ...] | None
    source: tuple[Step, ...]
    alias: str | None
    where: Expr | None
    limit: int | None

    @property
    def aggregated(self) -> bool:
        return bool(self.projections) and any(contains_aggregate(p.expr) for p in self.projections or ())


def children(node: Expr) -> tuple[Expr, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Like):
        return (node.value, node.pattern) + ((node.escape,) if node.escape else ())
    if isinstance(node, In):
        return (node.value, *node.items)
    if isinstance(node, Between):
        return (node.value, node.low, node.high)
    if isinstance(node, (Is, Cast)):
        return (node.value,)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Aggregate):
        return (node.arg,) if node.arg else ()
    if isinstance(node, Case):
        out: list[Expr] = [node.operand] if node.operand else []
        for condition, result in node.whens:
            out += [condition, result]
        return (*out, node.default) if node.default else tuple(out)
    return ()


def contains_aggregate(node: Expr) -> bool:
    return isinstance(node, Aggregate) or any(contains_aggregate(child) for child in children(node))


def refers_to_record(node: Expr) -> bool:
    """Whether the expression reads the record outside any aggregate (not allowed beside one)."""
    if isinstance(node, Path):
        return True
    if isinstance(node, Aggregate):
        return False
    return any(refers_to_record(child) for child in children(node))
