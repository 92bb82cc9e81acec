"""Resource-based policies on tables: PutResourcePolicy, GetResourcePolicy,
DeleteResourcePolicy. Documents are validated by the kit's policy parser; each change gets a
new revision id, which ExpectedRevisionId must match."""

from __future__ import annotations

import uuid
from typing import Any

from hoarfrost.core.kit.policies import PolicyError, parse_policy
from hoarfrost.services.dynamodb.errors import errors, validation
from hoarfrost.services.dynamodb.handlers import ops
from hoarfrost.services.dynamodb.handlers.common import DynamoContext, table_name_of
from hoarfrost.services.dynamodb.state import Table


def check_policy(document: str) -> None:
    """ValidationException with the kit's reason for a document that is not a valid policy."""
    try:
        parse_policy(document)
    except PolicyError as error:
        raise validation(f"Invalid policy document: {error}") from None


def new_revision() -> str:
    return str(uuid.uuid4().int)[:19]


def _table(ctx: DynamoContext, arn: str) -> Table:
    table = ctx.state.tables.get(table_name_of(ctx, arn))
    if table is None or table.arn != arn:
        raise errors.ResourceNotFoundException(f"Requested resource not found: ResourcArn: {arn} not found")
    return table


def _not_found(arn: str) -> Exception:
    return errors.PolicyNotFoundException(f"Resource-based policy not found for the provided ResourceArn: {arn}")


def _check_revision(table: Table, request: dict[str, Any]) -> None:
    expected = request.get("ExpectedRevisionId")
    if expected is not None and expected != table.resource_policy_revision:
        raise errors.PolicyNotFoundException(
            f"Resource-based policy not found for the provided ResourceArn: Requested update for policy revision id "
            f"{expected}, but the policy associated to target table {table.name} has revision id "
            f"{table.resource_policy_revision}.")


@ops.operation
def put_resource_policy(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = _table(ctx, request["ResourceArn"])
    check_policy(request["Policy"])
    _check_revision(table, request)
    table.resource_policy, table.resource_policy_revision = request["Policy"], new_revision()
    return {"RevisionId": table.resource_policy_revision}


@ops.operation
def get_resource_policy(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = _table(ctx, request["ResourceArn"])
    if table.resource_policy is None:
        raise _not_found(request["ResourceArn"])
    return {"Policy": table.resource_policy, "RevisionId": table.resource_policy_revision}


@ops.operation
def delete_resource_policy(ctx: DynamoContext, request: dict[str, Any]) -> dict[str, Any]:
    table = _table(ctx, request["ResourceArn"])
    if table.resource_policy is None:
        raise _not_found(request["ResourceArn"])
    _check_revision(table, request)
    table.resource_policy = None
    table.resource_policy_revision = new_revision()
    return {"RevisionId": table.resource_policy_revision}
