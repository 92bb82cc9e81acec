"""Applying a parsed UpdateExpression to an item, copy-on-write.

Every operand is evaluated against the item as it was before the update (as DynamoDB does);
the actions then apply to a new item that shares every container it does not change."""

from __future__ import annotations

from typing import Any

from hoarfrost.services.dynamodb import values as av
from hoarfrost.services.dynamodb.errors import invalid_parameter, validation
from hoarfrost.services.dynamodb.expressions.evaluate import Bindings, get_path
from hoarfrost.services.dynamodb.expressions.nodes import (
    Arithmetic,
    IfNotExists,
    ListAppend,
    Path,
    Update,
    Value,
)
from hoarfrost.services.dynamodb.values import AttributeValue, Item

Parts = tuple[str | int, ...]

_INVALID_PATH = "The document path provided in the update expression is invalid for update"
_WRONG_TYPE = "An operand in the update expression has an incorrect data type"


def _show(parts: Parts) -> str:
    return "[" + ", ".join(f"[{p}]" if isinstance(p, int) else p for p in parts) + "]"


def apply_update(item: Item, update: Update, bindings: Bindings, key_names: tuple[str, ...]) -> Item:
    """The item after ``update``; ``item`` itself is left as it was."""
    actions: list[tuple[str, Parts, Any]] = []
    for path, value in update.set:
        actions.append(("SET", bindings.parts(path), value))
    for path in update.remove:
        actions.append(("REMOVE", bindings.parts(path), None))
    for path, value in update.add:
        actions.append(("ADD", bindings.parts(path), value))
    for path, value in update.delete:
        actions.append(("DELETE", bindings.parts(path), value))
    _check_paths(actions, key_names)
    # Operands are read from the original item.
    resolved: list[tuple[str, Parts, Any]] = [
        (clause, parts, _evaluate(value, bindings, item) if clause == "SET" else
         (bindings.values[value.name] if value is not None else None))
        for clause, parts, value in actions]
    new = dict(item)
    removals: list[Parts] = []
    for clause, parts, operand in resolved:
        if clause == "SET":
            _set(new, parts, operand)
        elif clause == "REMOVE":
            removals.append(parts)
        elif clause == "ADD":
            _add(new, parts, operand)
        else:
            _delete(new, parts, operand)
    # List elements go from the highest index down, so each index means what it meant before.
    for parts in sorted(removals, key=lambda p: [(-x if isinstance(x, int) else 0) for x in p]):
        _remove(new, parts)
    return new


def _check_paths(actions: list[tuple[str, Parts, Any]], key_names: tuple[str, ...]) -> None:
    for i, (_clause, parts, _value) in enumerate(actions):
        if parts[0] in key_names:
            raise invalid_parameter(f"Cannot update attribute {parts[0]}. This attribute is part of the key")
        for _other_clause, other, _other_value in actions[:i]:
            shorter = min(len(parts), len(other))
            if parts[:shorter] == other[:shorter]:
                raise validation("Invalid UpdateExpression: Two document paths overlap with each other; must remove "
                                 f"or rewrite one of these paths; path one: {_show(other)}, path two: {_show(parts)}")


def _evaluate(value: Any, bindings: Bindings, item: Item) -> AttributeValue:
    if isinstance(value, Value):
        return bindings.values[value.name]
    if isinstance(value, Path):
        found = get_path(item, bindings.parts(value))
        if found is None:
            raise validation("The provided expression refers to an attribute that does not exist in the item")
        return found
    if isinstance(value, IfNotExists):
        found = get_path(item, bindings.parts(value.path))
        return found if found is not None else _evaluate(value.default, bindings, item)
    if isinstance(value, ListAppend):
        left, right = _evaluate(value.left, bindings, item), _evaluate(value.right, bindings, item)
        if "L" not in left or "L" not in right:
            raise validation(_WRONG_TYPE)
        return {"L": left["L"] + right["L"]}
    if isinstance(value, Arithmetic):
        left, right = _evaluate(value.left, bindings, item), _evaluate(value.right, bindings, item)
        if "N" not in left or "N" not in right:
            raise validation(_WRONG_TYPE)
        return {"N": av.add_numbers(left["N"], right["N"], subtract=value.op == "-")}
    raise TypeError(value)


# -- writing along a path, copying each container on the way -------------------------------------------
def _container(new: Item, parts: Parts) -> tuple[Any, str | int]:
    """The (already copied) container that holds the path's last element, and that element's
    name or index; the invalid-path error where the path does not lead to one."""
    holder: Any = new
    for depth, part in enumerate(parts[:-1]):
        current = holder[part] if _has(holder, part) else None
        nxt = parts[depth + 1]
        if current is None:
            raise validation(_INVALID_PATH)
        if isinstance(nxt, int):
            if "L" not in current:
                raise validation(_INVALID_PATH)
            copied: Any = {"L": list(current["L"])}
            holder[part] = copied
            holder = copied["L"]
        else:
            if "M" not in current:
                raise validation(_INVALID_PATH)
            copied = {"M": dict(current["M"])}
            holder[part] = copied
            holder = copied["M"]
    return holder, parts[-1]


def _has(holder: Any, part: str | int) -> bool:
    if isinstance(holder, list):
        return isinstance(part, int) and part < len(holder)
    return isinstance(part, str) and part in holder


def _set(new: Item, parts: Parts, value: AttributeValue) -> None:
    holder, last = _container(new, parts)
    if isinstance(holder, list):
        if not isinstance(last, int):
            raise validation(_INVALID_PATH)
        if last < len(holder):
            holder[last] = value
        else:
            holder.append(value)
    else:
        if isinstance(last, int):
            raise validation(_INVALID_PATH)
        holder[last] = value


def _remove(new: Item, parts: Parts) -> None:
    try:
        holder, last = _container(new, parts)
    except Exception:
        return  # removing what is not there is no error
    if isinstance(holder, list):
        if isinstance(last, int) and last < len(holder):
            del holder[last]
    elif isinstance(last, str):
        holder.pop(last, None)


def _add(new: Item, parts: Parts, value: AttributeValue) -> None:
    kind = av.type_of(value)
    if kind != "N" and kind not in av.SET_TYPES:
        raise validation("Invalid UpdateExpression: Incorrect operand type for operator or function; "
                         f"operator: ADD, operand type: {av.type_name(kind)}")
    holder, last = _container(new, parts)
    current = holder[last] if _has(holder, last) else None
    if current is None:
        result = value
    elif kind == "N":
        if "N" not in current:
            raise validation(_WRONG_TYPE)
        result = {"N": av.add_numbers(current["N"], value["N"])}
    else:
        if kind not in current:
            raise validation(_WRONG_TYPE)
        existing = current[kind]
        if kind == "NS":
            known = {av.parse_number(x) for x in existing}
            result = {kind: existing + [x for x in value[kind] if av.parse_number(x) not in known]}
        else:
            known_set = set(existing)
            result = {kind: existing + [x for x in value[kind] if x not in known_set]}
    _set(new, parts, result)


def _delete(new: Item, parts: Parts, value: AttributeValue) -> None:
    kind = av.type_of(value)
    if kind not in av.SET_TYPES:
        raise validation("Invalid UpdateExpression: Incorrect operand type for operator or function; "
                         f"operator: DELETE, operand type: {av.type_name(kind)}")
    holder, last = _container(new, parts)
    current = holder[last] if _has(holder, last) else None
    if current is None:
        return
    if kind not in current:
        raise validation(_WRONG_TYPE)
    gone = av.set_members(value)
    if kind == "NS":
        remaining = [x for x in current[kind] if av.parse_number(x) not in gone]
    else:
        remaining = [x for x in current[kind] if x not in gone]
    if remaining:
        _set(new, parts, {kind: remaining})
    else:
        _remove(new, parts)
