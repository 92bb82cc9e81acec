"""Log groups: create, describe, delete, retention, KMS key, and both tagging APIs (the old
``TagLogGroup`` by name and ``TagResource`` by ARN)."""

from __future__ import annotations

import bisect
from typing import Any

from hoarfrost.core.kit import tags as tagkit
from hoarfrost.core.kit.paging import paginate
from hoarfrost.services.logs.errors import errors, invalid
from hoarfrost.services.logs.handlers import ops
from hoarfrost.services.logs.handlers.common import (
    TAG_RULES,
    Ctx,
    group,
    group_by_arn,
    group_output,
    name_from_identifier,
)
from hoarfrost.services.logs.state import LogGroup

# PutRetentionPolicy's accepted values (the model's documentation lists them).
RETENTION_DAYS = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)


@ops.operation
def create_log_group(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    name = request["logGroupName"]
    if name in ctx.state.groups:
        raise errors.ResourceAlreadyExistsException("The specified log group already exists")
    new = LogGroup(
        name=name,
        creation_time=ctx.clock.millis(),
        kms_key_id=request.get("kmsKeyId"),
        log_group_class=request.get("logGroupClass") or "STANDARD",
        deletion_protection=bool(request.get("deletionProtectionEnabled", False)),
        tags=tagkit.check(request.get("tags") or {}, TAG_RULES),
    )
    ctx.state.add(new)
    return {}


@ops.operation
def delete_log_group(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    found = group(ctx, request)
    if found.deletion_protection:
        raise errors.OperationAbortedException(
            "Log group deletion is not allowed while deletion protection is enabled.")
    ctx.state.remove(found.name)
    return {}


@ops.operation
def describe_log_groups(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    """Groups in name order; ``logGroupNamePrefix`` and ``logGroupNamePattern`` (a
    case-insensitive substring) exclude each other, as in AWS."""
    prefix = request.get("logGroupNamePrefix")
    pattern = request.get("logGroupNamePattern")
    identifiers = request.get("logGroupIdentifiers")
    if prefix is not None and pattern is not None:
        raise invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
    backend = ctx.state
    names = backend.names
    if prefix is not None:
        start = bisect.bisect_left(names, prefix)
        end = start
        while end < len(names) and names[end].startswith(prefix):
            end += 1
        names = names[start:end]
    if pattern:
        needle = pattern.lower()
        names = [name for name in names if needle in name.lower()]
    if identifiers:
        wanted = {name_from_identifier(i) for i in identifiers}
        names = [name for name in names if name in wanted]
    group_class = request.get("logGroupClass")
    if group_class:
        names = [name for name in names if backend.groups[name].log_group_class == group_class]
    page = paginate(names, request.get("nextToken"), request.get("limit") or 50, kind="logs:DescribeLogGroups",
                    error=lambda: invalid("The specified nextToken is invalid."), key=lambda name: name)
    now = ctx.clock.millis()
    out = []
    for name in page.items:
        found = backend.groups[name]
        found.expire(now)
        out.append(group_output(backend, found))
    return {"logGroups": out, **page.token_member("nextToken")}


@ops.operation
def put_retention_policy(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    days = request["retentionInDays"]
    if days not in RETENTION_DAYS:
        raise invalid(
            f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(str(d) for d in sorted(RETENTION_DAYS))}]")
    found = group(ctx, request)
    found.retention_in_days = days
    found.expire(ctx.clock.millis())
    return {}


@ops.operation
def delete_retention_policy(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    group(ctx, request).retention_in_days = None
    return {}


@ops.operation
def associate_kms_key(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    if request.get("resourceIdentifier") is not None:
        raise invalid("Associating a KMS key with a query result is not supported by hoarfrost.")
    group(ctx, request).kms_key_id = request["kmsKeyId"]
    return {}


@ops.operation
def disassociate_kms_key(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    if request.get("resourceIdentifier") is not None:
        raise invalid("Disassociating a KMS key from a query result is not supported by hoarfrost.")
    group(ctx, request).kms_key_id = None
    return {}


@ops.operation
def put_log_group_deletion_protection(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    group(ctx, {"logGroupIdentifier": request["logGroupIdentifier"]}).deletion_protection = bool(
        request["deletionProtectionEnabled"])
    return {}


# -- tags -------------------------------------------------------------------------------------
@ops.operation
def tag_log_group(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    tagkit.tag(group(ctx, request).tags, request["tags"], TAG_RULES)
    return {}


@ops.operation
def untag_log_group(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    tagkit.untag(group(ctx, request).tags, request["tags"], TAG_RULES)
    return {}


@ops.operation
def list_tags_log_group(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    return {"tags": dict(group(ctx, request).tags)}


@ops.operation
def tag_resource(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    tagkit.tag(group_by_arn(ctx, request["resourceArn"]).tags, request["tags"], TAG_RULES)
    return {}


@ops.operation
def untag_resource(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    tagkit.untag(group_by_arn(ctx, request["resourceArn"]).tags, request["tagKeys"], TAG_RULES)
    return {}


@ops.operation
def list_tags_for_resource(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    return {"tags": dict(group_by_arn(ctx, request["resourceArn"]).tags)}
