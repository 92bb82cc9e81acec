"""What DynamoDB's handlers share: finding a table (and expiring its TTL'd items), checking keys,
binding expressions, recording stream records, ReturnValues and consumed capacity."""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

from hoarfrost.core.operations import RequestContext
from hoarfrost.services.dynamodb import values as av
from hoarfrost.services.dynamodb.changes import record, replicate
from hoarfrost.services.dynamodb.errors import invalid_parameter, table_not_found, validation
from hoarfrost.services.dynamodb.expressions.evaluate import Bindings, project
from hoarfrost.services.dynamodb.expressions.nodes import Expression
from hoarfrost.services.dynamodb.expressions.parser import parse
from hoarfrost.services.dynamodb.state import DynamoDbBackend, KeyValue, SortKey, Table
from hoarfrost.services.dynamodb.values import Item

if TYPE_CHECKING:
    from hoarfrost.services.dynamodb.service import DynamoDbService  # noqa: F401

DynamoContext = RequestContext[DynamoDbBackend, "DynamoDbService"]

MAX_KEY_SIZES = {"hash": 2048, "range": 1024}


def table_name_of(ctx: DynamoContext, name: str) -> str:
    """A table named by name or by ARN."""
    if name.startswith("arn:"):
        return name.rsplit("/", 1)[-1]
    return name


def get_table(ctx: DynamoContext, name: str, *, describe: bool = False) -> Table:
    """The table; ResourceNotFoundException otherwise. Items past their TTL go first (with their
    stream records), so no read sees them."""
    table = ctx.state.tables.get(table_name_of(ctx, name))
    if table is None:
        raise table_not_found(name if describe else None)
    if table.expiries:
        now = ctx.clock.time()
        if table.expiries[0][0] <= now:
            for item in table.expired(now):
                record_change(ctx, table, item, None, ttl=True)
            ctx.mark_changed()
    return table


# -- keys -------------------------------------------------------------------------------------------
def parse_key(table: Table, key: dict[str, Any]) -> tuple[KeyValue, SortKey]:
    """A Key parameter's (partition value, sort value), checked against the schema."""
    schema = table.schema
    if len(key) != len(schema.names):
        raise validation("The provided key element does not match the schema")
    hash_attr = key.get(schema.hash_key)
    if not isinstance(hash_attr, dict) or len(hash_attr) != 1 or schema.hash_type not in hash_attr:
        raise validation("The provided key element does not match the schema")
    hash_value = _key_part(schema.hash_key, hash_attr, schema.hash_type)
    sort = None
    if schema.range_key is not None:
        range_attr = key.get(schema.range_key)
        if not isinstance(range_attr, dict) or len(range_attr) != 1 or schema.range_type not in range_attr:
            raise validation("The provided key element does not match the schema")
        sort = _key_part(schema.range_key, range_attr, schema.range_type or "S", hash_key=False)
    return hash_value, sort


def _key_part(name: str, attr: dict[str, Any], kind: str, *, hash_key: bool = True) -> Any:
    data = attr[kind]
    if kind == "N":
        return av.parse_number(data)
    if not data:
        raise validation("One or more parameter values are not valid. The AttributeValue for a key attribute "
                         f"cannot contain an empty {'string' if kind == 'S' else 'binary'} value. Key: {name}")
    check_key_size(attr, hash_key=hash_key)
    return data


def check_key_size(value: dict[str, Any], *, hash_key: bool) -> None:
    """DynamoDB's limits on key values: 2048 bytes for a partition key, 1024 for a sort key
    (the messages are AWS's, missing space included)."""
    size = av.value_size(value)
    if hash_key and size > MAX_KEY_SIZES["hash"]:
        raise validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size "
                         "limit of2048 bytes")
    if not hash_key and size > MAX_KEY_SIZES["range"]:
        raise validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded "
                         "the size limit of 1024 bytes")


def key_attributes(table: Table, key: tuple[KeyValue, SortKey], given: dict[str, Any]) -> Item:
    """The key as an item (numbers normalised)."""
    return {name: av.check_value(given[name]) for name in table.schema.names}


def check_item_keys(table: Table, item: Item) -> None:
    """PutItem's checks of the key attributes in an item, and of its index key attributes."""
    schema = table.schema
    for name, kind in ((schema.hash_key, schema.hash_type), (schema.range_key, schema.range_type)):
        if name is None:
            continue
        value = item.get(name)
        if value is None:
            raise invalid_parameter(f"Missing the key {name} in the item")
        actual = av.type_of(value)
        if actual != kind:
            raise invalid_parameter(f"Type mismatch for key {name} expected: {kind} actual: {actual}")
        if kind in ("S", "B") and not value[kind]:
            raise validation("One or more parameter values are not valid. The AttributeValue for a key attribute "
                             f"cannot contain an empty {'string' if kind == 'S' else 'binary'} value. Key: {name}")
        if kind in ("S", "B"):
            check_key_size(value, hash_key=name == schema.hash_key)
    for index in table.indexes():
        for name, kind in ((index.schema.hash_key, index.schema.hash_type),
                           (index.schema.range_key, index.schema.range_type)):
            value = item.get(name) if name is not None else None
            if value is None or name in schema.names:
                continue
            actual = av.type_of(value)
            if actual != kind:
                raise invalid_parameter(f"Type mismatch for Index Key {name} Expected: {kind} Actual: {actual} "
                                        f"IndexName: {index.name}")
            if kind in ("S", "B") and not value[kind]:
                raise validation("One or more parameter values are not valid. A value specified for a secondary "
                                 "index key is not supported. The AttributeValue for a key attribute cannot contain "
                                 f"an empty {'string' if kind == 'S' else 'binary'} value. IndexName: {index.name}, "
                                 f"IndexKey: {name}")


# -- expressions ------------------------------------------------------------------------------------
def bindings(request: dict[str, Any], *expression_members: str) -> Bindings:
    """The request's placeholder maps; refused when the request has no expression to use them."""
    names, values = request.get("ExpressionAttributeNames"), request.get("ExpressionAttributeValues")
    if not any(request.get(member) is not None for member in expression_members):
        if names is not None:
            raise validation("ExpressionAttributeNames can only be specified when using expressions")
        if values is not None:
            raise validation("ExpressionAttributeValues can only be specified when using expressions")
    return Bindings(names, values)


def bound(binding: Bindings, request: dict[str, Any], member: str) -> Expression | None:
    text = request.get(member)
    if text is None:
        return None
    return binding.bind(parse(member, text))


def projection_paths(binding: Bindings, expression: Expression | None) -> list[tuple[str | int, ...]] | None:
    if expression is None:
        return None
    return [binding.parts(path) for path in expression.root]  # type: ignore[attr-defined]


def projected(item: Item, paths: list[tuple[str | int, ...]] | None) -> Item:
    return item if paths is None else project(item, paths)


def check_legacy(request: dict[str, Any], legacy: str, modern: str) -> None:
    """A request may not mix a legacy parameter with its expression counterpart."""
    if request.get(legacy) is not None and request.get(modern) is not None:
        raise validation("Can not use both expression and non-expression parameters in the same request: "
                         f"Non-expression parameters: {{{legacy}}} Expression parameters: {{{modern}}}")


def attributes_to_get(request: dict[str, Any]) -> list[tuple[str | int, ...]] | None:
    names = request.get("AttributesToGet")
    if names is None:
        return None
    if len(set(names)) != len(names):
        raise validation("One or more parameter values were invalid: Duplicate value in attribute name: "
                         f"{names}")
    return [(name,) for name in names]


# -- streams ----------------------------------------------------------------------------------------
def record_change(ctx: DynamoContext, table: Table, old: Item | None, new: Item | None, *,
                  ttl: bool = False) -> None:
    """Everything one item change entails besides the write itself: its stream record and
    point-in-time history (``changes.record``), and, for a global table, the same write in the
    replicas' regions once this request's lock is released."""
    if old is None and new is None:
        return
    now = ctx.clock.time()
    record(table, old, new, now, ttl=ttl)
    if table.replicas:
        source = new if new is not None else old
        assert source is not None
        ctx.after_commit(functools.partial(
            replicate, ctx.service, ctx.scope.account, tuple(table.replicas), table.name,
            table.key_item(source), new, now))


# -- answers ----------------------------------------------------------------------------------------
def capacity(request: dict[str, Any], table: Table, units: float, *, read: bool = False,
             index: str | None = None) -> dict[str, Any]:
    """ConsumedCapacity when ReturnConsumedCapacity asks for it (TOTAL or INDEXES)."""
    mode = request.get("ReturnConsumedCapacity", "NONE")
    if mode == "NONE":
        return {}
    consumed: dict[str, Any] = {"TableName": table.name, "CapacityUnits": units}
    kind = "ReadCapacityUnits" if read else "WriteCapacityUnits"
    consumed[kind] = units
    if mode == "INDEXES":
        if index is not None:
            where = "GlobalSecondaryIndexes" if index in table.global_indexes else "LocalSecondaryIndexes"
            consumed[where] = {index: {"CapacityUnits": units, kind: units}}
        else:
            consumed["Table"] = {"CapacityUnits": units, kind: units}
    return {"ConsumedCapacity": consumed}


def read_units(size: int, consistent: bool) -> float:
    units = float(max(1, math.ceil(size / 4096)))
    return units if consistent else units / 2


def write_units(size: int) -> float:
    return float(max(1, math.ceil(size / 1024)))


def item_collection_metrics(request: dict[str, Any], table: Table, item: Item | None) -> dict[str, Any]:
    if request.get("ReturnItemCollectionMetrics") != "SIZE" or not table.local_indexes or item is None:
        return {}
    partition = table.items.partitions.get(av.key_value(item[table.schema.hash_key]))
    size = sum(partition.sizes.values()) if partition else 0
    return {"ItemCollectionMetrics": {
        "ItemCollectionKey": {table.schema.hash_key: item[table.schema.hash_key]},
        "SizeEstimateRangeGB": [0.0, max(1.0, size / 2**30)],
    }}
