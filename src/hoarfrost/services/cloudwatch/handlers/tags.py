"""Tags on alarms and dashboards, named by ARN."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit import tags as tagging
from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.services.cloudwatch.errors import errors
from hoarfrost.services.cloudwatch.handlers import ops
from hoarfrost.services.cloudwatch.handlers.common import TAG_RULES, CwContext
from hoarfrost.services.cloudwatch.state import CompositeAlarm, Dashboard, MetricAlarm


def _tags_of(ctx: CwContext, arn_text: str) -> dict[str, str]:
    """The tag map of the alarm or dashboard ``arn_text`` names in this scope."""
    arn = try_parse_arn(arn_text)
    found: MetricAlarm | CompositeAlarm | Dashboard | None = None
    if arn is not None and arn.service == "cloudwatch" and arn.account == ctx.scope.account:
        if arn.resource.startswith("alarm:") and arn.region == ctx.scope.region:
            found = ctx.state.alarm(arn.resource[len("alarm:"):])
        elif arn.resource.startswith("dashboard/"):
            found = ctx.state.dashboards.get(arn.resource[len("dashboard/"):])
    if found is None:
        raise errors.ResourceNotFoundException(f"The specified resource {arn_text} does not exist.")
    return found.tags


@ops.operation
def tag_resource(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    tagging.tag(_tags_of(ctx, request["ResourceARN"]), tagging.from_list(request["Tags"], TAG_RULES), TAG_RULES)
    return {}


@ops.operation
def untag_resource(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    tagging.untag(_tags_of(ctx, request["ResourceARN"]), request["TagKeys"], TAG_RULES)
    return {}


@ops.operation
def list_tags_for_resource(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": tagging.to_list(_tags_of(ctx, request["ResourceARN"]), TAG_RULES)}
