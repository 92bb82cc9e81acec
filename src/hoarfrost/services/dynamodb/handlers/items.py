"""Single-item operations: PutItem, GetItem, UpdateItem, DeleteItem, with conditions,
projections, update expressions (and their legacy forms) and ReturnValues."""

from __future__ import annotations

from typing import Any

from hoarfrost.services.dynamodb import values as av
from hoarfrost.services.dynamodb.errors import conditional_check_failed, validation
from hoarfrost.services.dynamodb.expressions import legacy
from hoarfrost.services.dynamodb.expressions.evaluate import Bindings, project
from hoarfrost.services.dynamodb.expressions.nodes import Expression
from hoarfrost.services.dynamodb.expressions.updates import apply_update
from hoarfrost.services.dynamodb.handlers import ops
from hoarfrost.services.dynamodb.handlers.common import (
    DynamoContext,
    attributes_to_get,
    bindings,
    bound,
    capacity,
    check_item_keys,
    check_legacy,
    get_table,
    item_collection_metrics,
    key_attributes,
    parse_key,
    projected,
    projection_paths,
    read_units,
    record_change,
    write_units,
)
from hoarfrost.services.dynamodb.state import Table
from hoarfrost.services.dynamodb.values import Item


def condition_of(binding: Bindings, request: dict[str, Any]) -> Expression | None:
    """The request's condition: ConditionExpression, or the legacy Expected turned into one."""
    check_legacy(request, "Expected", "ConditionExpression")
    if request.get("Expected") is not None:
        return legacy.expected(binding, request["Expected"], request.get("ConditionalOperator"))
    if request.get("ConditionalOperator") is not None:
        raise validation("ConditionalOperator can only be used when Filter or Expected has two or more elements")
    return bound(binding, request, "ConditionExpression")


def check_condition(binding: Bindings, condition: Expression | None, old: Item | None,
                    request: dict[str, Any]) -> None:
    """ConditionalCheckFailedException when the condition is false for the current item."""
    if condition is not None and not binding.test(condition.root, old or {}):
        wanted = request.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
        raise conditional_check_failed(old if wanted and old is not None else None)


def _return_values(request: dict[str, Any], allowed: tuple[str, ...]) -> str:
    mode = request.get("ReturnValues") or "NONE"
    if mode not in allowed:
        raise validation(f"ReturnValues can only be {' or '.join(reversed(allowed))}" if len(allowed) == 2
                         else "Return values set to invalid value")
    return mode


@ops.operation
def put_item(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = get_table(ctx, request["TableName"])
    mode = _return_values(request, ("NONE", "ALL_OLD"))
    item = av.check_item(request["Item"])
    check_item_keys(table, item)
    size = av.check_size(item)
    binding = bindings(request, "ConditionExpression")
    condition = condition_of(binding, request)
    binding.check_unused()
    old = table.get(table.key_of(item))
    check_condition(binding, condition, old, request)
    table.put(item, size)
    record_change(ctx, table, old, item)
    output: dict[str, Any] = {}
    if mode == "ALL_OLD" and old is not None:
        output["Attributes"] = old
    output.update(capacity(request, table, write_units(size)))
    output.update(item_collection_metrics(request, table, item))
    return output


@ops.operation
def get_item(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = get_table(ctx, request["TableName"])
    key = parse_key(table, request["Key"])
    check_legacy(request, "AttributesToGet", "ProjectionExpression")
    binding = bindings(request, "ProjectionExpression")
    paths = projection_paths(binding, bound(binding, request, "ProjectionExpression")) or attributes_to_get(request)
    binding.check_unused()
    item = table.get(key)
    output: dict[str, Any] = {}
    if item is not None:
        output["Item"] = projected(item, paths)
    if request.get("ReturnConsumedCapacity", "NONE") != "NONE":
        size = table.items.partitions[key[0]].sizes[key[1]] if item is not None else 0
        output.update(capacity(request, table, read_units(size, bool(request.get("ConsistentRead"))), read=True))
    return output


def updated_item(table: Table, binding: Bindings, update: Expression | None, request: dict[str, Any],
                 base: Item) -> tuple[Item, list[tuple[str | int, ...]]]:
    """The item after the update and the paths it touched (for UPDATED_OLD / UPDATED_NEW)."""
    if update is not None:
        new = apply_update(base, update.root, binding, table.schema.names)  # type: ignore[arg-type]
        root = update.root
        touched = [binding.parts(p) for p, _ in root.set] + [binding.parts(p) for p in root.remove] + [  # type: ignore
            binding.parts(p) for p, _ in root.add] + [binding.parts(p) for p, _ in root.delete]  # type: ignore
        return new, touched
    if request.get("AttributeUpdates") is not None:
        return legacy.attribute_updates(base, request["AttributeUpdates"], table.schema.names)
    return dict(base), []


@ops.operation
def update_item(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = get_table(ctx, request["TableName"])
    mode = _return_values(request, ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"))
    key = parse_key(table, request["Key"])
    check_legacy(request, "AttributeUpdates", "UpdateExpression")
    binding = bindings(request, "UpdateExpression", "ConditionExpression")
    update = bound(binding, request, "UpdateExpression")
    condition = condition_of(binding, request)
    binding.check_unused()
    old = table.get(key)
    check_condition(binding, condition, old, request)
    base = old if old is not None else key_attributes(table, key, request["Key"])
    new, touched = updated_item(table, binding, update, request, base)
    check_item_keys(table, new)
    size = av.check_size(new)
    table.put(new, size)
    record_change(ctx, table, old, new)
    output: dict[str, Any] = {}
    if mode == "ALL_OLD" and old is not None:
        output["Attributes"] = old
    elif mode == "ALL_NEW":
        output["Attributes"] = new
    elif mode == "UPDATED_NEW":
        output["Attributes"] = project(new, touched)
    elif mode == "UPDATED_OLD" and old is not None:
        output["Attributes"] = project(old, touched)
    if "Attributes" in output and not output["Attributes"]:
        del output["Attributes"]
    output.update(capacity(request, table, write_units(size)))
    output.update(item_collection_metrics(request, table, new))
    return output


@ops.operation
def delete_item(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = get_table(ctx, request["TableName"])
    mode = _return_values(request, ("NONE", "ALL_OLD"))
    key = parse_key(table, request["Key"])
    binding = bindings(request, "ConditionExpression")
    condition = condition_of(binding, request)
    binding.check_unused()
    old = table.get(key)
    check_condition(binding, condition, old, request)
    output: dict[str, Any] = {}
    if old is not None:
        table.remove(key)
        record_change(ctx, table, old, None)
        if mode == "ALL_OLD":
            output["Attributes"] = old
    elif ctx.changed is None:
        ctx.mark_unchanged()  # nothing to delete (and no TTL expiry on the way): listeners are not told
    size = av.item_size(old) if old is not None else 0
    output.update(capacity(request, table, write_units(size)))
    output.update(item_collection_metrics(request, table, old))
    return output
