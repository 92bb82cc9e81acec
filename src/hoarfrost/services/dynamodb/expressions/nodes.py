"""The syntax tree of a parsed expression. Placeholders (``#n``, ``:v``) stay unresolved in the
tree, so one parse serves every request with the same text (parser.parse caches them)."""

from __future__ import annotations

from dataclasses import dataclass, field

# A path element: an attribute name, a ``#name`` placeholder, or a list index.
PathPart = str | int


@dataclass(frozen=True, slots=True)
class Path:
    parts: tuple[PathPart, ...]


@dataclass(frozen=True, slots=True)
class Value:
    name: str  # ":v"


@dataclass(frozen=True, slots=True)
class Size:
    path: Path


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class Between:
    operand: Operand
    low: Operand
    high: Operand


@dataclass(frozen=True, slots=True)
class In:
    operand: Operand
    options: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class Function:
    """A boolean function: attribute_exists, attribute_not_exists, attribute_type, begins_with,
    contains."""

    name: str
    args: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class And:
    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Or:
    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition


Operand = Path | Value | Size
Condition = Compare | Between | In | Function | And | Or | Not


# -- update expressions ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class IfNotExists:
    path: Path
    default: UpdateValue


@dataclass(frozen=True, slots=True)
class ListAppend:
    left: UpdateValue
    right: UpdateValue


@dataclass(frozen=True, slots=True)
class Arithmetic:
    op: str  # "+" or "-"
    left: UpdateValue
    right: UpdateValue


UpdateValue = Path | Value | IfNotExists | ListAppend | Arithmetic


@dataclass(frozen=True, slots=True)
class Update:
    """An update expression's actions, by clause, in the order written."""

    set: tuple[tuple[Path, UpdateValue], ...] = ()
    remove: tuple[Path, ...] = ()
    add: tuple[tuple[Path, Value], ...] = ()
    delete: tuple[tuple[Path, Value], ...] = ()


@dataclass(frozen=True, slots=True)
class Expression:
    """A parsed expression and the placeholders it uses (checked against the request's maps)."""

    kind: str  # "ConditionExpression", "UpdateExpression", ... (named in error messages)
    root: object  # a Condition, an Update, or a tuple of Paths (a projection)
    names: frozenset[str] = field(default_factory=frozenset)
    values: frozenset[str] = field(default_factory=frozenset)
    # (operator or function, value placeholder) pairs whose value's type is checked at bind time
    typed_values: tuple[tuple[str, str], ...] = ()
