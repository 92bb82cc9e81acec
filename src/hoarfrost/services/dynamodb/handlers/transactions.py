"""TransactWriteItems and TransactGetItems: all or nothing.

Every action is checked and its result computed against the current items before anything is
written; one failed condition cancels the whole transaction, with a reason per action in
request order. A ClientRequestToken makes a write transaction idempotent for ten minutes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.services.dynamodb import values as av
from hoarfrost.services.dynamodb.errors import errors, validation
from hoarfrost.services.dynamodb.handlers import ops
from hoarfrost.services.dynamodb.handlers.common import (
    DynamoContext,
    bindings,
    bound,
    check_item_keys,
    get_table,
    key_attributes,
    parse_key,
    projected,
    projection_paths,
    record_change,
)
from hoarfrost.services.dynamodb.handlers.items import condition_of, updated_item
from hoarfrost.services.dynamodb.state import Table
from hoarfrost.services.dynamodb.values import Item

MAX_ACTIONS = 100
TOKEN_WINDOW = 600.0
_ACTIONS = ("ConditionCheck", "Put", "Delete", "Update")


def _fingerprint(request: dict[str, Any]) -> str:
    def default(value: Any) -> Any:
        return value.hex() if isinstance(value, bytes) else str(value)

    body = {k: v for k, v in request.items() if k != "ClientRequestToken"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=default).encode()).hexdigest()


@ops.operation
def transact_write_items(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    actions = request["TransactItems"]
    if len(actions) > MAX_ACTIONS:
        raise validation(f"Member must have length less than or equal to {MAX_ACTIONS}")
    replayed = replay(ctx, request)
    if replayed is not None:
        return replayed
    # Check every action and compute its outcome first.
    planned: list[tuple[str, Table, Any, Item | None, Item | None, Any, Any]] = []
    seen_keys: set[tuple[str, Any]] = set()
    for action in actions:
        present = [name for name in _ACTIONS if action.get(name) is not None]
        if len(present) != 1:
            raise validation("TransactItems can only contain one of Check, Put, Update or Delete")
        kind = present[0]
        body = action[kind]
        table = get_table(ctx, body["TableName"])
        binding = bindings(body, "ConditionExpression", "UpdateExpression")
        update = bound(binding, body, "UpdateExpression") if kind == "Update" else None
        condition = condition_of(binding, body)
        if kind == "ConditionCheck" and condition is None:
            raise validation("The expression can not be empty;")
        binding.check_unused()
        if kind == "Put":
            item = av.check_item(body["Item"])
            check_item_keys(table, item)
            av.check_size(item)
            key = table.key_of(item)
        else:
            key = parse_key(table, body["Key"])
            item = None
        if (table.name, key) in seen_keys:
            raise validation("Transaction request cannot include multiple operations on one item")
        seen_keys.add((table.name, key))
        planned.append((kind, table, key, item, None, (binding, condition, update), body))
    reasons: list[dict[str, Any]] = []
    outcomes: list[tuple[Table, Any, Item | None, Item | None, str]] = []
    failed = False
    for kind, table, key, item, _none, (binding, condition, update), body in planned:
        old = table.get(key)
        if condition is not None and not binding.test(condition.root, old or {}):
            reason: dict[str, Any] = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
            if body.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
                reason["Item"] = old
            reasons.append(reason)
            failed = True
            continue
        try:
            if kind == "Put":
                new = item
            elif kind == "Update":
                base = old if old is not None else key_attributes(table, key, body["Key"])
                new, _touched = updated_item(table, binding, update, body, base)
                check_item_keys(table, new)
                av.check_size(new)
            elif kind == "Delete":
                new = None
            else:
                new = old
        except ServiceError as error:
            reasons.append({"Code": "ValidationError", "Message": error.message})
            failed = True
            continue
        reasons.append({"Code": "None"})
        outcomes.append((table, key, old, new, kind))
    if failed:
        codes = ", ".join(reason["Code"] for reason in reasons)
        raise errors.TransactionCanceledException(
            f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
            CancellationReasons=reasons)
    for table, key, old, new, kind in outcomes:
        if kind == "ConditionCheck":
            continue
        if new is None:
            if old is not None:
                table.remove(key)
                record_change(ctx, table, old, None)
        else:
            table.put(new)
            record_change(ctx, table, old, new)
    output: dict[str, Any] = {}
    remember(ctx, request, output)
    return output


def replay(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any] | None:
    """The answer a ClientRequestToken already got within ten minutes (the transaction is not
    applied again); IdempotentParameterMismatchException when the request differs."""
    token = request.get("ClientRequestToken")
    if token is None:
        return None
    tokens, now = ctx.state.transaction_tokens, ctx.clock.time()
    for old_token in [t for t, (at, _f, _o) in tokens.items() if now - at > TOKEN_WINDOW]:
        del tokens[old_token]
    seen = tokens.get(token)
    if seen is None:
        return None
    if seen[1] != _fingerprint(request):
        raise errors.IdempotentParameterMismatchException(
            "The request uses the same client request token as a previous, but non-identical request.")
    if ctx.changed is None:
        ctx.mark_unchanged()
    return seen[2]


def remember(ctx: DynamoContext, request: dict[str, Any], output: dict[str, Any]) -> None:
    token = request.get("ClientRequestToken")
    if token is not None:
        ctx.state.transaction_tokens[token] = (ctx.clock.time(), _fingerprint(request), output)


@ops.operation(mutates=False)
def transact_get_items(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    actions = request["TransactItems"]
    if len(actions) > MAX_ACTIONS:
        raise validation(f"Member must have length less than or equal to {MAX_ACTIONS}")
    planned = []
    seen: set[tuple[str, Any]] = set()
    for action in actions:
        body = action["Get"]
        table = get_table(ctx, body["TableName"])
        binding = bindings(body, "ProjectionExpression")
        paths = projection_paths(binding, bound(binding, body, "ProjectionExpression"))
        binding.check_unused()
        key = parse_key(table, body["Key"])
        if (table.name, key) in seen:
            raise validation("Transaction request cannot include multiple operations on one item")
        seen.add((table.name, key))
        planned.append((table, key, paths))
    responses = []
    for table, key, paths in planned:
        item = table.get(key)
        responses.append({"Item": projected(item, paths)} if item is not None else {})
    return {"Responses": responses}
