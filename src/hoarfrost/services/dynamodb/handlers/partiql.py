"""PartiQL: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction.

A SELECT whose WHERE fixes the partition key with ``=`` reads only that partition (sorted);
any other SELECT scans. UPDATE and DELETE must name the whole primary key with ``=``; the rest
of their WHERE is a condition on the item."""

from __future__ import annotations

import bisect
import json
from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.paging import key_token, token_key
from hoarfrost.services.dynamodb import values as av
from hoarfrost.services.dynamodb.convert import item_from_json, item_to_json
from hoarfrost.services.dynamodb.errors import conditional_check_failed, errors, validation
from hoarfrost.services.dynamodb.expressions.evaluate import Bindings, project
from hoarfrost.services.dynamodb.expressions.nodes import And, Compare, Path, Update, Value
from hoarfrost.services.dynamodb.expressions.updates import apply_update
from hoarfrost.services.dynamodb.handlers import ops
from hoarfrost.services.dynamodb.handlers.common import (
    DynamoContext,
    check_item_keys,
    get_table,
    record_change,
)
from hoarfrost.services.dynamodb.handlers.transactions import remember, replay
from hoarfrost.services.dynamodb.partiql import Statement, fill, parse
from hoarfrost.services.dynamodb.state import Table
from hoarfrost.services.dynamodb.values import Item

PAGE_BYTES = 1024 * 1024
TOKEN_KIND = "dynamodb:ExecuteStatement"


def _bind(statement: Statement, parameters: list[Any] | None) -> Bindings:
    given = [av.check_value(p) for p in parameters or []]
    if len(given) != statement.parameters:
        raise validation("Number of parameters in request and statement don't match.")
    binding = Bindings(None, None)
    for placeholder, template in statement.literals.items():
        binding.values[placeholder] = av.check_value(fill(template, given))
    for index, value in enumerate(given):
        binding.values[f":param{index}"] = value
    return binding


def _equalities(binding: Bindings, node: Any, found: dict[str, Any]) -> None:
    """Top-level ``path = value`` terms of a conjunction, by attribute name."""
    if isinstance(node, And):
        _equalities(binding, node.left, found)
        _equalities(binding, node.right, found)
    elif isinstance(node, Compare) and node.op == "=":
        left, right = node.left, node.right
        if isinstance(right, Path) and isinstance(left, Value):
            left, right = right, left
        if isinstance(left, Path) and isinstance(right, Value) and len(left.parts) == 1:
            found[str(left.parts[0])] = binding.values[right.name]


def _full_key(table: Table, binding: Bindings, statement: Statement) -> Item:
    found: dict[str, Any] = {}
    _equalities(binding, statement.where, found)
    key = {}
    for name in table.schema.names:
        value = found.get(name)
        if value is None:
            raise validation("Where clause does not contain a mandatory equality on all key attributes")
        key[name] = value
    return key


def _select(ctx: DynamoContext, statement: Statement, binding: Bindings, request: dict[str, Any]) -> dict[str, Any]:
    table = get_table(ctx, statement.table)
    index = None
    if statement.index is not None:
        index = table.index(statement.index)
        if index is None:
            raise validation(f"The table does not have the specified index: {statement.index}")
    schema = index.schema if index else table.schema
    store = index.store if index else table.items
    found: dict[str, Any] = {}
    if statement.where is not None:
        _equalities(binding, statement.where, found)
    start_key = None
    if request.get("NextToken"):
        text = token_key(TOKEN_KIND, request["NextToken"], lambda: validation("Invalid NextToken"))
        start_key = item_from_json(json.loads(str(text[0] if isinstance(text, (tuple, list)) else text)))
    hash_attr = found.get(schema.hash_key)
    entries: Any
    if hash_attr is not None and av.type_of(hash_attr) == schema.hash_type:
        partition = store.partitions.get(av.key_value(hash_attr))
        keys = partition.keys if partition else []
        begin = 0
        if start_key is not None and partition is not None:
            place = index.sort_of(start_key, table.schema) if index else table.key_of(start_key)
            sort = place[1] if place is not None else None
            begin = bisect.bisect_right(keys, sort) if sort is not None else len(keys)
        entries = ((partition.items[k], partition.sizes[k]) for k in keys[begin:]) if partition else iter(())
    else:
        position = None
        if start_key is not None:
            position = index.sort_of(start_key, table.schema) if index else table.key_of(start_key)
        entries = ((item, size) for _h, _s, item, size in store.scan(position))
    names = index.projected_names(table.schema) if index else None
    paths = [binding.parts(p) for p in statement.projection] if statement.projection else None
    limit = request.get("Limit")
    items: list[Item] = []
    scanned = read = 0
    last: Item | None = None
    for item, size in entries:
        scanned += 1
        read += size
        shown = item if names is None else {n: v for n, v in item.items() if n in names}
        if statement.where is None or binding.test(statement.where, shown):
            items.append(shown if paths is None else project(shown, paths))
        if (limit is not None and scanned >= limit) or read >= PAGE_BYTES:
            last = item
            break
    output: dict[str, Any] = {"Items": items}
    if last is not None:
        key_names = list(table.schema.names) + ([n for n in index.schema.names if n not in table.schema.names]
                                                if index else [])
        last_key = {n: last[n] for n in key_names}
        output["LastEvaluatedKey"] = last_key
        output["NextToken"] = key_token(TOKEN_KIND, (json.dumps(item_to_json(last_key), sort_keys=True),))
    return output


def _plan_write(ctx: DynamoContext, statement: Statement, binding: Bindings
                ) -> tuple[Table, Any, Item | None, Item | None]:
    """(table, key, item before, item after) of an INSERT, UPDATE or DELETE, checked against
    the current item; the ServiceError DynamoDB answers otherwise."""
    table = get_table(ctx, statement.table)
    if statement.index is not None:
        raise validation("Write operations are not supported on an index")
    if statement.kind == "INSERT":
        item = av.check_item(fill(statement.item, [binding.values[f":param{i}"]
                                                   for i in range(statement.parameters)])["M"])
        check_item_keys(table, item)
        av.check_size(item)
        key = table.key_of(item)
        old = table.get(key)
        if old is not None:
            raise errors.DuplicateItemException("Duplicate primary key exists in table")
        return table, key, None, item
    key_item = _full_key(table, binding, statement)
    key = table.key_of(key_item)
    old = table.get(key)
    if statement.kind == "DELETE":
        if old is not None and not binding.test(statement.where, old):
            raise conditional_check_failed()
        return table, key, old, None
    if old is None or not binding.test(statement.where, old):
        raise conditional_check_failed()
    update = Update(set=tuple(statement.sets), remove=tuple(statement.removes))
    new = apply_update(old, update, binding, table.schema.names)
    check_item_keys(table, new)
    av.check_size(new)
    return table, key, old, new


def _apply(ctx: DynamoContext, table: Table, key: Any, old: Item | None, new: Item | None) -> None:
    if new is None:
        if old is not None:
            table.remove(key)
            record_change(ctx, table, old, None)
    else:
        table.put(new)
        record_change(ctx, table, old, new)


def _execute(ctx: DynamoContext, text: str, parameters: list[Any] | None, request: dict[str, Any]) -> dict[str, Any]:
    statement = parse(text)
    binding = _bind(statement, parameters)
    if statement.kind == "SELECT":
        if ctx.changed is None:
            ctx.mark_unchanged()  # a read: listeners are not told
        return _select(ctx, statement, binding, request)
    table, key, old, new = _plan_write(ctx, statement, binding)
    _apply(ctx, table, key, old, new)
    return {}


@ops.operation
def execute_statement(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    return _execute(ctx, request["Statement"], request.get("Parameters"), request)


@ops.operation
def batch_execute_statement(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    responses: list[dict[str, Any]] = []
    for entry in request["Statements"]:
        statement = parse(entry["Statement"])
        try:
            binding = _bind(statement, entry.get("Parameters"))
            if statement.kind == "SELECT":
                key = _full_key(get_table(ctx, statement.table), binding, statement)
                table = get_table(ctx, statement.table)
                item = table.get(table.key_of(key))
                response: dict[str, Any] = {"TableName": table.name}
                if item is not None and (statement.where is None or binding.test(statement.where, item)):
                    paths = [binding.parts(p) for p in statement.projection] if statement.projection else None
                    response["Item"] = item if paths is None else project(item, paths)
                responses.append(response)
            else:
                table, key, old, new = _plan_write(ctx, statement, binding)
                _apply(ctx, table, key, old, new)
                responses.append({"TableName": table.name})
        except ServiceError as error:
            code = error.code.removesuffix("Exception") if error.code != "ValidationException" else "ValidationError"
            responses.append({"Error": {"Code": code, "Message": error.message}})
    return {"Responses": responses}


@ops.operation
def execute_transaction(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    replayed = replay(ctx, request)
    if replayed is not None:
        return replayed
    statements = [(parse(s["Statement"]), s.get("Parameters")) for s in request["TransactStatements"]]
    kinds = {statement.kind == "SELECT" for statement, _ in statements}
    if len(kinds) > 1:
        raise validation("Transaction must contain either all reads or all writes")
    if kinds == {True}:
        responses = []
        for statement, parameters in statements:
            binding = _bind(statement, parameters)
            table = get_table(ctx, statement.table)
            item = table.get(table.key_of(_full_key(table, binding, statement)))
            responses.append({"Item": item} if item is not None else {})
        return {"Responses": responses}
    planned = []
    reasons: list[dict[str, Any]] = []
    seen: set[tuple[str, Any]] = set()
    failed = False
    for statement, parameters in statements:
        binding = _bind(statement, parameters)
        try:
            table, key, old, new = _plan_write(ctx, statement, binding)
        except ServiceError as error:
            if error.code == "ValidationException":
                raise
            code = "ConditionalCheckFailed" if error.code == "ConditionalCheckFailedException" else \
                error.code.removesuffix("Exception")
            reasons.append({"Code": code, "Message": error.message})
            failed = True
            continue
        if (table.name, key) in seen:
            raise validation("Transaction request cannot include multiple operations on one item")
        seen.add((table.name, key))
        reasons.append({"Code": "None"})
        planned.append((table, key, old, new))
    if failed:
        codes = ", ".join(r["Code"] for r in reasons)
        raise errors.TransactionCanceledException(
            f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
            CancellationReasons=reasons)
    for table, key, old, new in planned:
        _apply(ctx, table, key, old, new)
    output: dict[str, Any] = {"Responses": [{} for _ in planned]}
    remember(ctx, request, output)
    return output
