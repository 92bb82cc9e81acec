"""BatchGetItem and BatchWriteItem: many keys across tables in one call.

Everything in a batch is checked before anything is written. A BatchGetItem answer stops at
16 MB; the keys it did not read come back in ``UnprocessedKeys``."""

from __future__ import annotations

from typing import Any

from hoarfrost.services.dynamodb import values as av
from hoarfrost.services.dynamodb.errors import validation
from hoarfrost.services.dynamodb.handlers import ops
from hoarfrost.services.dynamodb.handlers.common import (
    DynamoContext,
    attributes_to_get,
    bindings,
    bound,
    check_item_keys,
    check_legacy,
    get_table,
    parse_key,
    projected,
    projection_paths,
    read_units,
    record_change,
    write_units,
)
from hoarfrost.services.dynamodb.state import Table
from hoarfrost.services.dynamodb.values import Item

MAX_GET_KEYS = 100
MAX_WRITES = 25
MAX_GET_BYTES = 16 * 1024 * 1024


@ops.operation(mutates=False)
def batch_get_item(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    requested = request["RequestItems"]
    if sum(len(entry.get("Keys") or []) for entry in requested.values()) > MAX_GET_KEYS:
        raise validation("Too many items requested for the BatchGetItem call")
    plans = []
    for name, entry in requested.items():
        table = get_table(ctx, name)
        check_legacy(entry, "AttributesToGet", "ProjectionExpression")
        binding = bindings(entry, "ProjectionExpression")
        paths = projection_paths(binding, bound(binding, entry, "ProjectionExpression")) or attributes_to_get(entry)
        binding.check_unused()
        keys = [parse_key(table, key) for key in entry["Keys"]]
        if len(set(keys)) != len(keys):
            raise validation("Provided list of item keys contains duplicates")
        plans.append((name, entry, table, keys, paths))
    responses: dict[str, list[Any]] = {}
    unprocessed: dict[str, Any] = {}
    consumed: list[dict[str, Any]] = []
    read = 0
    for name, entry, table, keys, paths in plans:
        found = responses.setdefault(name, [])
        units = 0.0
        for position, key in enumerate(keys):
            if read >= MAX_GET_BYTES:
                rest = dict(entry)
                rest["Keys"] = entry["Keys"][position:]
                unprocessed[name] = rest
                break
            item = table.get(key)
            if item is not None:
                size = table.items.partitions[key[0]].sizes[key[1]]
                read += size
                units += read_units(size, bool(entry.get("ConsistentRead")))
                found.append(projected(item, paths))
        consumed.append({"TableName": table.name, "CapacityUnits": units})
    output: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": unprocessed}
    if request.get("ReturnConsumedCapacity", "NONE") != "NONE":
        output["ConsumedCapacity"] = consumed
    return output


@ops.operation
def batch_write_item(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    requested = request["RequestItems"]
    if sum(len(writes) for writes in requested.values()) > MAX_WRITES:
        raise validation("Too many items requested for the BatchWriteItem call")
    planned: list[tuple[Table, Any, Item | None, int]] = []
    for name, writes in requested.items():
        table = get_table(ctx, name)
        seen: set[Any] = set()
        for write in writes:
            put, delete = write.get("PutRequest"), write.get("DeleteRequest")
            if (put is None) == (delete is None):
                raise validation("A WriteRequest must contain exactly one of PutRequest or DeleteRequest")
            if put is not None:
                item = av.check_item(put["Item"])
                check_item_keys(table, item)
                size = av.check_size(item)
                key = table.key_of(item)
                planned.append((table, key, item, size))
            else:
                key = parse_key(table, delete["Key"])
                planned.append((table, key, None, 0))
            if key in seen:
                raise validation("Provided list of item keys contains duplicates")
            seen.add(key)
    consumed: dict[str, float] = {}
    for table, key, written, size in planned:
        if written is not None:
            old = table.put(written, size)
        else:
            old = table.remove(key)
        record_change(ctx, table, old, written)
        consumed[table.name] = consumed.get(table.name, 0.0) + write_units(size or (av.item_size(old) if old else 0))
    output: dict[str, Any] = {"UnprocessedItems": {}}
    if request.get("ReturnConsumedCapacity", "NONE") != "NONE":
        output["ConsumedCapacity"] = [{"TableName": n, "CapacityUnits": u} for n, u in consumed.items()]
    return output
