"""Tags of a function, by its ARN (TagResource / UntagResource / ListTags)."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit import tags as tagkit
from hoarfrost.core.operations import Reply

from ..errors import function_not_found, invalid
from ..state import Function
from . import ops
from .common import TAG_RULES, Ctx, split_name


def _function(ctx: Ctx, arn: str) -> Function:
    if not arn.startswith("arn:"):
        raise invalid(f"1 validation error detected: Value '{arn}' at 'resource' failed to satisfy constraint: "
                      "Member must satisfy regular expression pattern")
    name, qualifier, _, _ = split_name(arn)
    if qualifier is not None:
        raise invalid("Tags are not supported on a function version or alias; use the unqualified function ARN.")
    function = ctx.state.functions.get(name)
    if function is None:
        raise function_not_found(arn)
    return function


@ops.operation
def tag_resource(ctx: Ctx, request: dict[str, Any]) -> Reply:
    tagkit.tag(_function(ctx, request["Resource"]).tags, request["Tags"], TAG_RULES)
    return Reply({}, status=204)


@ops.operation
def untag_resource(ctx: Ctx, request: dict[str, Any]) -> Reply:
    tagkit.untag(_function(ctx, request["Resource"]).tags, request["TagKeys"], TAG_RULES)
    return Reply({}, status=204)


@ops.operation
def list_tags(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": dict(_function(ctx, request["Resource"]).tags)}
