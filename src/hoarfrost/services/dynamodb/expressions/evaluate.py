"""Evaluating parsed conditions and projections against items.

``Bindings`` carries one request's ExpressionAttributeNames / Values; it checks every
expression's placeholders against them (DynamoDB's "not defined" messages) and, once the
request's expressions are all bound, that none was left unused."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.services.dynamodb import values as av
from hoarfrost.services.dynamodb.errors import validation
from hoarfrost.services.dynamodb.expressions.nodes import (
    And,
    Between,
    Compare,
    Expression,
    Function,
    In,
    Not,
    Or,
    Path,
    Size,
    Value,
)
from hoarfrost.services.dynamodb.values import AttributeValue, Item

VALID_TYPES = ("S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M")
_ORDERED = ("S", "N", "B")


class Bindings:
    """A request's placeholder maps and which of them its expressions used."""

    __slots__ = ("names", "values", "used_names", "used_values")

    def __init__(self, names: dict[str, str] | None, values: dict[str, Any] | None) -> None:
        if names is not None and not names:
            raise validation("ExpressionAttributeNames must not be empty")
        if values is not None and not values:
            raise validation("ExpressionAttributeValues must not be empty")
        for key in names or ():
            if not key.startswith("#"):
                raise validation(f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"')
        checked: dict[str, AttributeValue] = {}
        for key, value in (values or {}).items():
            if not key.startswith(":"):
                raise validation(f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"')
            try:
                checked[key] = av.check_value(value)
            except ServiceError as error:
                raise validation(f"ExpressionAttributeValues contains invalid value: {error.message} for key {key}"
                                 ) from None
        self.names = names or {}
        self.values = checked
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    def bind(self, expression: Expression) -> Expression:
        """Check the expression's placeholders are defined (and its typed operands' types)."""
        for name in expression.names:
            if name not in self.names:
                raise validation(f"Invalid {expression.kind}: An expression attribute name used in the document "
                                 f"path is not defined; attribute name: {name}")
        for value in expression.values:
            if value not in self.values:
                raise validation(f"Invalid {expression.kind}: An expression attribute value used in expression "
                                 f"is not defined; attribute value: {value}")
        self.used_names.update(expression.names)
        self.used_values.update(expression.values)
        for op, placeholder in expression.typed_values:
            kind = av.type_of(self.values[placeholder])
            if op == "attribute_type":
                given = self.values[placeholder]
                if kind != "S" or given["S"] not in VALID_TYPES:
                    shown = given.get("S", kind)
                    raise validation(f"Invalid {expression.kind}: Invalid attribute type name found; type: {shown}, "
                                     "valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }")
            elif op == "begins_with" and kind not in ("S", "B"):
                raise validation(f"Invalid {expression.kind}: Incorrect operand type for operator or function; "
                                 f"operator or function: begins_with, operand type: {kind}")
            elif op not in ("attribute_type", "begins_with") and kind not in _ORDERED:
                raise validation(f"Invalid {expression.kind}: Incorrect operand type for operator or function; "
                                 f"operator or function: {op}, operand type: {kind}")
        self._check_between(expression, expression.root)
        return expression

    def _check_between(self, expression: Expression, node: object) -> None:
        if isinstance(node, (And, Or)):
            self._check_between(expression, node.left)
            self._check_between(expression, node.right)
        elif isinstance(node, Not):
            self._check_between(expression, node.operand)
        elif isinstance(node, Between) and isinstance(node.low, Value) and isinstance(node.high, Value):
            low, high = self.values[node.low.name], self.values[node.high.name]
            if av.type_of(low) == av.type_of(high) and av.scalar(low) > av.scalar(high):
                raise validation(f"Invalid {expression.kind}: The BETWEEN operator requires upper bound to be "
                                 "greater than or equal to lower bound; lower bound operand: AttributeValue: "
                                 f"{_show(low)}, upper bound operand: AttributeValue: {_show(high)}")

    def check_unused(self) -> None:
        unused = [name for name in self.names if name not in self.used_names]
        if unused:
            raise validation("Value provided in ExpressionAttributeNames unused in expressions: "
                             f"keys: {{{', '.join(unused)}}}")
        unused = [name for name in self.values if name not in self.used_values]
        if unused:
            raise validation("Value provided in ExpressionAttributeValues unused in expressions: "
                             f"keys: {{{', '.join(unused)}}}")

    # -- resolving ----------------------------------------------------------------------------
    def parts(self, path: Path) -> tuple[str | int, ...]:
        names = self.names
        return tuple(names[p] if isinstance(p, str) and p[:1] == "#" else p for p in path.parts)

    def operand(self, operand: object, item: Item) -> AttributeValue | None:
        if isinstance(operand, Value):
            return self.values[operand.name]
        if isinstance(operand, Path):
            return get_path(item, self.parts(operand))
        if isinstance(operand, Size):
            found = get_path(item, self.parts(operand.path))
            return None if found is None else _size(found)
        raise TypeError(operand)

    # -- conditions ---------------------------------------------------------------------------
    def test(self, node: object, item: Item) -> bool:
        if isinstance(node, Compare):
            return _compare(node.op, self.operand(node.left, item), self.operand(node.right, item))
        if isinstance(node, And):
            return self.test(node.left, item) and self.test(node.right, item)
        if isinstance(node, Or):
            return self.test(node.left, item) or self.test(node.right, item)
        if isinstance(node, Not):
            return not self.test(node.operand, item)
        if isinstance(node, Between):
            value = self.operand(node.operand, item)
            return (_compare(">=", value, self.operand(node.low, item))
                    and _compare("<=", value, self.operand(node.high, item)))
        if isinstance(node, In):
            value = self.operand(node.operand, item)
            return value is not None and any(
                (option := self.operand(o, item)) is not None and av.equal(value, option) for o in node.options)
        if isinstance(node, Function):
            return self._function(node, item)
        raise TypeError(node)

    def _function(self, node: Function, item: Item) -> bool:
        name = node.name
        first = self.operand(node.args[0], item)
        if name == "attribute_exists":
            return first is not None
        if name == "attribute_not_exists":
            return first is None
        second = self.operand(node.args[1], item)
        if first is None or second is None:
            return False
        if name == "attribute_type":
            return av.type_of(first) == second.get("S")
        kind, other = av.type_of(first), av.type_of(second)
        if name == "begins_with":
            if kind != other or kind not in ("S", "B"):
                return False
            return bool(first[kind].startswith(second[kind]))
        # contains
        if kind == "S" and other == "S":
            return second["S"] in first["S"]
        if kind == "B" and other == "B":
            return second["B"] in first["B"]
        if kind in av.SET_TYPES:
            return av.SET_TYPES[kind] == other and av.scalar(second) in av.set_members(first)
        if kind == "L":
            return any(av.equal(element, second) for element in first["L"])
        return False


def _show(value: AttributeValue) -> str:
    (kind, data), = value.items()
    return f"{{{kind}:{data}}}"


def _size(value: AttributeValue) -> AttributeValue | None:
    (kind, data), = value.items()
    if kind == "S":
        return {"N": str(len(data))}
    if kind in ("B", "SS", "NS", "BS", "L", "M"):
        return {"N": str(len(data))}
    return None


def _compare(op: str, left: AttributeValue | None, right: AttributeValue | None) -> bool:
    if left is None or right is None:
        return op == "<>" and not (left is None and right is None)
    if op == "=":
        return av.equal(left, right)
    if op == "<>":
        return not av.equal(left, right)
    kind = av.type_of(left)
    if kind != av.type_of(right) or kind not in _ORDERED:
        return False
    a, b = av.scalar(left), av.scalar(right)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


# -- document paths -------------------------------------------------------------------------------
def get_path(item: Item, parts: tuple[str | int, ...]) -> AttributeValue | None:
    """The value at a document path, None where the path leads nowhere."""
    value: AttributeValue | None = item.get(parts[0]) if isinstance(parts[0], str) else None
    for part in parts[1:]:
        if value is None:
            return None
        if isinstance(part, int):
            elements = value.get("L")
            value = elements[part] if elements is not None and part < len(elements) else None
        else:
            members = value.get("M")
            value = members.get(part) if members is not None else None
    return value


def project(item: Item, paths: list[tuple[str | int, ...]]) -> Item:
    """The item cut down to ``paths`` (ProjectionExpression): nested paths keep their
    enclosing maps; list elements picked by index keep their order."""
    tree: dict[Any, Any] = {}  # part -> True (take it whole) or the parts below it
    for parts in paths:
        node = tree
        for depth, part in enumerate(parts):
            if depth == len(parts) - 1:
                node[part] = True
                break
            child = node.get(part)
            if child is True:
                break
            if child is None:
                child = node[part] = {}
            node = child
    result: Item = {}
    for name, below in tree.items():
        value = item.get(name)
        picked = None if value is None else _pick(value, below)
        if picked is not None:
            result[name] = picked
    return result


def _pick(value: AttributeValue, below: Any) -> AttributeValue | None:
    if below is True:
        return value
    members = value.get("M")
    if members is not None:
        picked = {part: p for part, sub in below.items()
                  if isinstance(part, str) and part in members and (p := _pick(members[part], sub)) is not None}
        return {"M": picked} if picked else None
    elements = value.get("L")
    if elements is not None:
        indexes = sorted(part for part in below if isinstance(part, int) and part < len(elements))
        chosen = [p for i in indexes if (p := _pick(elements[i], below[i])) is not None]
        return {"L": chosen} if chosen else None
    return None
