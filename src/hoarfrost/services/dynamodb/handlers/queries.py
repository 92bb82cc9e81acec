"""Query and Scan, on tables and on their indexes.

A Query finds its partition by dict look-up and its sort-key range by bisect, then reads only
the page it answers: O(log n + page). Pages end at ``Limit`` items evaluated or at 1 MB read,
and then carry ``LastEvaluatedKey``; filters apply after that count (``ScannedCount``)."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

from hoarfrost.services.dynamodb import values as av
from hoarfrost.services.dynamodb.errors import validation
from hoarfrost.services.dynamodb.expressions import legacy
from hoarfrost.services.dynamodb.expressions.evaluate import Bindings, project
from hoarfrost.services.dynamodb.expressions.nodes import And, Between, Compare, Expression, Function, Path, Value
from hoarfrost.services.dynamodb.handlers import ops
from hoarfrost.services.dynamodb.handlers.common import (
    DynamoContext,
    attributes_to_get,
    bindings,
    bound,
    capacity,
    check_legacy,
    get_table,
    projection_paths,
    read_units,
)
from hoarfrost.services.dynamodb.state import Index, ItemStore, KeySchema, Table
from hoarfrost.services.dynamodb.values import Item

PAGE_BYTES = 1024 * 1024
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}


class Plan:
    """What one Query or Scan reads and how it answers: the store, key schema, index, filter,
    projection and Select."""

    __slots__ = ("table", "index", "schema", "store", "binding", "filter", "paths", "select", "index_names",
                 "limit")

    def __init__(self, ctx: DynamoContext, request: dict[str, Any], operation: str) -> None:
        self.table: Table = get_table(ctx, request["TableName"])
        index_name = request.get("IndexName")
        self.index: Index | None = None
        if index_name is not None:
            self.index = self.table.index(index_name)
            if self.index is None:
                raise validation(f"The table does not have the specified index: {index_name}")
            if self.index.is_global and request.get("ConsistentRead"):
                raise validation("Consistent reads are not supported on global secondary indexes")
        self.schema: KeySchema = self.index.schema if self.index else self.table.schema
        self.store: ItemStore = self.index.store if self.index else self.table.items
        self.limit: int | None = request.get("Limit")
        filter_member, legacy_filter = "FilterExpression", ("QueryFilter" if operation == "Query" else "ScanFilter")
        check_legacy(request, legacy_filter, filter_member)
        check_legacy(request, "AttributesToGet", "ProjectionExpression")
        if operation == "Query":
            check_legacy(request, "KeyConditions", "KeyConditionExpression")
        self.binding: Bindings = bindings(request, "KeyConditionExpression", "FilterExpression",
                                          "ProjectionExpression")
        self.filter: Expression | None = bound(self.binding, request, "FilterExpression")
        if request.get(legacy_filter) is not None:
            self.filter = legacy.conditions(self.binding, request[legacy_filter], request.get("ConditionalOperator"),
                                            "FilterExpression")
        projection = bound(self.binding, request, "ProjectionExpression")
        self.paths = projection_paths(self.binding, projection) or attributes_to_get(request)
        self.select: str = request.get("Select") or ("SPECIFIC_ATTRIBUTES" if self.paths is not None else
                                                     "ALL_PROJECTED_ATTRIBUTES" if self.index else "ALL_ATTRIBUTES")
        self._check_select()
        self.index_names = self.index.projected_names(self.table.schema) if self.index else None

    def _check_select(self) -> None:
        select, index = self.select, self.index
        if self.paths is not None and select != "SPECIFIC_ATTRIBUTES":
            raise validation(f"Cannot specify the ProjectionExpression when choosing to get {select}")
        if select == "ALL_PROJECTED_ATTRIBUTES" and index is None:
            raise validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
        if (select == "ALL_ATTRIBUTES" and index is not None and index.is_global
                and index.projection.get("ProjectionType") != "ALL"):
            raise validation(f"One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not "
                             f"supported for global secondary index {index.name} because its projection type is "
                             "not ALL")

    def shown(self, item: Item) -> Item:
        """The item as the index holds it (its projection)."""
        names = self.index_names
        if names is None:
            return item
        if self.index is not None and not self.index.is_global and self.select == "ALL_ATTRIBUTES":
            return item  # a local index fetches the rest from the table
        return {name: value for name, value in item.items() if name in names}

    def key_of(self, item: Item) -> Item:
        names = list(self.table.schema.names)
        if self.index is not None:
            names += [n for n in self.index.schema.names if n not in names]
        return {name: item[name] for name in names}

    def start_item(self, start: dict[str, Any]) -> Item:
        """ExclusiveStartKey checked: the table's key (and the index's, querying an index)."""
        wanted = set(self.table.schema.names) | (set(self.index.schema.names) if self.index else set())
        try:
            item = av.check_item(start)
        except Exception:
            raise validation("The provided starting key is invalid") from None
        if set(item) != wanted:
            raise validation("The provided starting key is invalid: The provided key element does not match the "
                             "schema")
        for name, kind in ((self.schema.hash_key, self.schema.hash_type), (self.schema.range_key,
                                                                            self.schema.range_type)):
            if name is not None and av.type_of(item[name]) != kind:
                raise validation("The provided starting key is invalid: The provided key element does not match "
                                 "the schema")
        return item

    def run(self, request: dict[str, Any], entries: Iterator[tuple[Item, int]]) -> dict[str, Any]:
        """Read ``entries`` (item, size) until Limit or 1 MB; the answer."""
        limit, binding, condition = self.limit, self.binding, self.filter
        paths, select = self.paths, self.select
        counting = select == "COUNT"
        results: list[Item] = []
        scanned = count = read = 0
        last: Item | None = None
        stopped = False
        for item, size in entries:
            scanned += 1
            read += size
            shown = self.shown(item) if self.index_names is not None else item
            if condition is None or binding.test(condition.root, shown):
                count += 1
                if not counting:
                    results.append(shown if paths is None else project(shown, paths))
            if (limit is not None and scanned >= limit) or read >= PAGE_BYTES:
                last, stopped = item, True
                break
        output: dict[str, Any] = {"Count": count, "ScannedCount": scanned}
        if not counting:
            output["Items"] = results
        if stopped and last is not None:
            output["LastEvaluatedKey"] = self.key_of(last)
        consistent = bool(request.get("ConsistentRead"))
        output.update(capacity(request, self.table, read_units(read, consistent), read=True,
                               index=self.index.name if self.index else None))
        return output


# -- Query ------------------------------------------------------------------------------------------
def _key_conditions(plan: Plan, expression: Expression) -> tuple[Any, tuple[str, Any, Any] | None]:
    """(partition value, (operator, value, second value) on the sort key or None)."""
    parts: list[Any] = []

    def flatten(node: Any) -> None:
        if isinstance(node, And):
            flatten(node.left)
            flatten(node.right)
        elif isinstance(node, (Compare, Between, Function)):
            parts.append(node)
        else:
            name = type(node).__name__.upper()
            raise validation(f"Invalid operator used in KeyConditionExpression: {name}")

    flatten(expression.root)
    binding, schema = plan.binding, plan.schema
    found: dict[str, tuple[str, Any, Any]] = {}
    for part in parts:
        if isinstance(part, Compare):
            left, right, op = part.left, part.right, part.op
            if isinstance(right, Path) and isinstance(left, Value):
                left, right, op = right, left, _FLIP.get(op, op)
            if not isinstance(left, Path) or not isinstance(right, Value) or op == "<>":
                raise validation("Query key condition not supported")
            condition: tuple[str, Value, Value | None] = (op, right, None)
        elif isinstance(part, Between):
            if not isinstance(part.operand, Path) or not isinstance(part.low, Value) or not isinstance(part.high,
                                                                                                        Value):
                raise validation("Query key condition not supported")
            left, condition = part.operand, ("BETWEEN", part.low, part.high)
        else:
            if part.name != "begins_with" or not isinstance(part.args[0], Path) or not isinstance(part.args[1],
                                                                                                   Value):
                raise validation(f"Invalid operator used in KeyConditionExpression: {part.name}")
            left, condition = part.args[0], ("begins_with", part.args[1], None)
        path = binding.parts(left)
        if len(path) != 1:
            raise validation("Key condition may contain only top-level attributes")  # nested paths
        name = path[0]
        if name in found:
            raise validation("KeyConditionExpressions must only contain one condition per key")
        if name not in schema.names:
            missing = schema.hash_key if schema.hash_key not in found else schema.range_key
            raise validation(f"Query condition missed key schema element: {missing or name}")
        found[str(name)] = condition
    hash_condition = found.get(schema.hash_key)
    if hash_condition is None:
        raise validation(f"Query condition missed key schema element: {schema.hash_key}")
    if hash_condition[0] != "=":
        raise validation("Query key condition not supported")
    hash_value = _key_operand(binding, hash_condition[1], schema.hash_type)
    range_condition = found.get(schema.range_key) if schema.range_key else None
    if range_condition is None:
        return hash_value, None
    kind = schema.range_type or "S"
    op, first, second = range_condition
    if op == "begins_with" and kind == "N":
        raise validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
                         "operator or function: begins_with, operand type: N")
    low = _key_operand(binding, first, kind)
    high = _key_operand(binding, second, kind) if second is not None else None
    return hash_value, (op, low, high)


def _key_operand(binding: Bindings, value: Value, kind: str) -> Any:
    attribute = binding.values[value.name]
    if av.type_of(attribute) != kind:
        raise validation("One or more parameter values were invalid: Condition parameter type does not match "
                         "schema type")
    return av.key_value(attribute)


def _bounds(keys: list[Any], condition: tuple[str, Any, Any] | None, by_first: bool) -> tuple[int, int]:
    if condition is None:
        return 0, len(keys)
    op, value, high = condition
    key = itemgetter(0) if by_first else None
    left = bisect.bisect_left(keys, value, key=key)
    if op == "=":
        return left, bisect.bisect_right(keys, value, key=key)
    if op == "<":
        return 0, left
    if op == "<=":
        return 0, bisect.bisect_right(keys, value, key=key)
    if op == ">":
        return bisect.bisect_right(keys, value, key=key), len(keys)
    if op == ">=":
        return left, len(keys)
    if op == "BETWEEN":
        return left, max(left, bisect.bisect_right(keys, high, key=key))
    # begins_with: the keys from the prefix on that start with it
    end = left
    while end < len(keys) and (keys[end][0] if by_first else keys[end]).startswith(value):
        end += 1
    return left, end


@ops.operation(mutates=False)
def query(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    plan = Plan(ctx, request, "Query")
    if request.get("KeyConditionExpression") is not None:
        key_condition = bound(plan.binding, request, "KeyConditionExpression")
    elif request.get("KeyConditions") is not None:
        key_condition = legacy.conditions(plan.binding, request["KeyConditions"], None, "KeyConditionExpression")
    else:
        raise validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
                         "request.")
    plan.binding.check_unused()
    assert key_condition is not None
    hash_value, range_condition = _key_conditions(plan, key_condition)
    forward = request.get("ScanIndexForward", True)
    partition = plan.store.partitions.get(hash_value)
    if partition is None:
        return plan.run(request, iter(()))
    keys = partition.keys
    by_first = plan.index is not None
    low, high = _bounds(keys, range_condition, by_first and plan.schema.range_key is not None)
    start = request.get("ExclusiveStartKey")
    if start is not None:
        start_item = plan.start_item(start)
        if plan.index is not None:
            place = plan.index.sort_of(start_item, plan.table.schema)
            sort = place[1] if place is not None else None
        else:
            sort = plan.table.key_of(start_item)[1]
        if sort is not None:
            if forward:
                low = max(low, bisect.bisect_right(keys, sort))
            else:
                high = min(high, bisect.bisect_left(keys, sort))
        elif plan.schema.range_key is None:
            low = high  # a partition of one item, already returned
    items, sizes = partition.items, partition.sizes
    order = range(low, high) if forward else range(high - 1, low - 1, -1)
    return plan.run(request, ((items[keys[i]], sizes[keys[i]]) for i in order))


# -- Scan -------------------------------------------------------------------------------------------
@ops.operation(mutates=False)
def scan(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    plan = Plan(ctx, request, "Scan")
    plan.binding.check_unused()
    segment, total = request.get("Segment"), request.get("TotalSegments")
    if segment is not None and total is None:
        raise validation("The TotalSegments parameter is required but was not present in the request when Segment "
                         "parameter is present")
    if total is not None and segment is None:
        raise validation("The Segment parameter is required but was not present in the request when parameter "
                         "TotalSegments is present")
    if segment is not None and total is not None and segment >= total:
        raise validation(f"The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                         f"Segment: {segment} is not less than TotalSegments: {total}")
    start = request.get("ExclusiveStartKey")
    position = None
    if start is not None:
        start_item = plan.start_item(start)
        if plan.index is not None:
            position = plan.index.sort_of(start_item, plan.table.schema)
        else:
            position = plan.table.key_of(start_item)
    entries = ((item, size) for _h, _s, item, size in plan.store.scan(position, segment or 0, total or 1))
    return plan.run(request, entries)
