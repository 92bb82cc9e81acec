"""The legacy (pre-expression) parameters, turned into the same syntax trees expressions parse
into: ``Expected``, ``KeyConditions``, ``QueryFilter`` and ``ScanFilter`` become conditions,
``AttributeUpdates`` an update. Their names and values become placeholders in the request's
Bindings (marked used), so one evaluator serves both forms."""

from __future__ import annotations

from typing import Any

from hoarfrost.services.dynamodb import values as av
from hoarfrost.services.dynamodb.errors import invalid_parameter, validation
from hoarfrost.services.dynamodb.expressions.evaluate import Bindings
from hoarfrost.services.dynamodb.expressions.nodes import (
    And,
    Between,
    Compare,
    Condition,
    Expression,
    Function,
    IfNotExists,
    In,
    ListAppend,
    Not,
    Or,
    Path,
    Update,
    UpdateValue,
    Value,
)
from hoarfrost.services.dynamodb.expressions.updates import apply_update
from hoarfrost.services.dynamodb.values import Item

_COMPARE = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}
_ARITY = {"EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "NOT_NULL": 0, "NULL": 0, "CONTAINS": 1,
          "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "BETWEEN": 2}


def _name(binding: Bindings, attribute: str) -> Path:
    placeholder = f"#legacy{len(binding.names)}"
    while placeholder in binding.names:
        placeholder += "_"
    binding.names[placeholder] = attribute
    binding.used_names.add(placeholder)
    return Path((placeholder,))


def _value(binding: Bindings, value: Any) -> Value:
    placeholder = f":legacy{len(binding.values)}"
    while placeholder in binding.values:
        placeholder += "_"
    binding.values[placeholder] = av.check_value(value)
    binding.used_values.add(placeholder)
    return Value(placeholder)


def comparison(binding: Bindings, attribute: str, operator: str, operands: list[Any]) -> Condition:
    """One legacy condition (``ComparisonOperator`` with ``AttributeValueList``)."""
    count = len(operands)
    expected = _ARITY.get(operator)
    if operator == "IN":
        if count < 1:
            raise invalid_parameter(f"Invalid number of argument(s) for the {operator} ComparisonOperator")
    elif expected is None:
        raise validation(f"Unsupported operator on Expected: {operator}")
    elif count != expected:
        raise invalid_parameter(f"Invalid number of argument(s) for the {operator} ComparisonOperator")
    path = _name(binding, attribute)
    values = [_value(binding, operand) for operand in operands]
    if operator in _COMPARE:
        return Compare(_COMPARE[operator], path, values[0])
    if operator == "NOT_NULL":
        return Function("attribute_exists", (path,))
    if operator == "NULL":
        return Function("attribute_not_exists", (path,))
    if operator == "CONTAINS":
        return Function("contains", (path, values[0]))
    if operator == "NOT_CONTAINS":
        return And(Function("attribute_exists", (path,)), Not(Function("contains", (path, values[0]))))
    if operator == "BEGINS_WITH":
        return Function("begins_with", (path, values[0]))
    if operator == "BETWEEN":
        return Between(path, values[0], values[1])
    return In(path, tuple(values))


def _join(conditions: list[Condition], operator: str | None) -> Condition:
    if len(conditions) < 2 and operator is not None:
        raise validation("ConditionalOperator can only be used when Filter or Expected has two or more elements")
    result = conditions[0]
    for condition in conditions[1:]:
        result = Or(result, condition) if operator == "OR" else And(result, condition)
    return result


def expected(binding: Bindings, entries: dict[str, Any], operator: str | None) -> Expression:
    """``Expected`` as a condition."""
    conditions: list[Condition] = []
    for attribute, entry in entries.items():
        exists = entry.get("Exists")
        value = entry.get("Value")
        if entry.get("ComparisonOperator") is not None:
            if value is not None or exists is not None:
                raise invalid_parameter("One or more parameter values were invalid: Value or Exists cannot be used "
                                        "with ComparisonOperator")
            conditions.append(comparison(binding, attribute, entry["ComparisonOperator"],
                                         entry.get("AttributeValueList") or []))
        elif exists is False:
            if value is not None:
                raise invalid_parameter("Cannot expect an attribute to have a specified value while expecting it "
                                        "to not exist")
            conditions.append(comparison(binding, attribute, "NULL", []))
        else:
            if value is None:
                raise invalid_parameter("Exists is set to TRUE for attribute (" + attribute + "), Value must also "
                                        "be set")
            conditions.append(comparison(binding, attribute, "EQ", [value]))
    if not conditions:
        raise validation("Expected must not be empty")
    return Expression("ConditionExpression", _join(conditions, operator))


def conditions(binding: Bindings, entries: dict[str, Any], operator: str | None, kind: str) -> Expression:
    """``KeyConditions``, ``QueryFilter`` or ``ScanFilter`` as a condition."""
    parts = [comparison(binding, attribute, entry["ComparisonOperator"], entry.get("AttributeValueList") or [])
             for attribute, entry in entries.items()]
    return Expression(kind, _join(parts, operator if len(parts) > 1 or operator else None))


def attribute_updates(item: Item, updates: dict[str, Any], key_names: tuple[str, ...]
                      ) -> tuple[Item, list[tuple[str | int, ...]]]:
    """``AttributeUpdates`` applied to ``item`` (through the update expression machinery)."""
    binding = Bindings(None, None)
    sets: list[tuple[Path, UpdateValue]] = []
    removes: list[Path] = []
    adds: list[tuple[Path, Value]] = []
    deletes: list[tuple[Path, Value]] = []
    for attribute, update in updates.items():
        action = update.get("Action", "PUT")
        value = update.get("Value")
        path = _name(binding, attribute)
        if action == "PUT":
            if value is None:
                raise invalid_parameter("Only DELETE action is allowed when no attribute value is specified")
            sets.append((path, _value(binding, value)))
        elif action == "DELETE":
            if value is None:
                removes.append(path)
            else:
                deletes.append((path, _value(binding, value)))
        else:
            if value is None:
                raise invalid_parameter("Only DELETE action is allowed when no attribute value is specified")
            if isinstance(value, dict) and "L" in value:  # the legacy ADD appends to a list
                empty = _value(binding, {"L": []})
                sets.append((path, ListAppend(IfNotExists(path, empty), _value(binding, value))))
            else:
                adds.append((path, _value(binding, value)))
    update = Update(set=tuple(sets), remove=tuple(removes), add=tuple(adds), delete=tuple(deletes))
    new = apply_update(item, update, binding, key_names)
    return new, [(attribute,) for attribute in updates]
