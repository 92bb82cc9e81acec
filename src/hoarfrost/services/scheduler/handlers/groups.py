"""Schedule groups: create / get / list / delete (with their schedules), and their tags (the
only taggable resource of Scheduler)."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit import tags as tagging
from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.paging import paginate
from hoarfrost.services.scheduler.errors import group_exists, group_not_found, invalid
from hoarfrost.services.scheduler.handlers import ops
from hoarfrost.services.scheduler.handlers.common import PAGE_SIZE, SchedulerContext, group_named, token_error
from hoarfrost.services.scheduler.state import DEFAULT_GROUP, ScheduleGroup


def _summary(ctx: SchedulerContext, group: ScheduleGroup) -> dict[str, Any]:
    return {"Arn": ctx.state.group_arn(group.name), "Name": group.name, "State": "ACTIVE",
            "CreationDate": group.creation_date, "LastModificationDate": group.last_modification_date}


@ops.operation
def create_schedule_group(ctx: SchedulerContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request["Name"]
    tags = tagging.check(tagging.from_list(request.get("Tags")))
    if name in ctx.state.groups:
        raise group_exists(name)
    now = ctx.clock.time()
    ctx.state.groups[name] = ScheduleGroup(name, now, now, tags=tags)
    return {"ScheduleGroupArn": ctx.state.group_arn(name)}


@ops.operation
def get_schedule_group(ctx: SchedulerContext, request: dict[str, Any]) -> dict[str, Any]:
    return _summary(ctx, group_named(ctx, request["Name"]))


@ops.operation
def list_schedule_groups(ctx: SchedulerContext, request: dict[str, Any]) -> dict[str, Any]:
    prefix = request.get("NamePrefix") or ""
    names = sorted(name for name in ctx.state.groups if name.startswith(prefix))
    page = paginate(names, request.get("NextToken"), request.get("MaxResults") or PAGE_SIZE,
                    kind="scheduler:ListScheduleGroups", key=str, error=token_error)
    return {"ScheduleGroups": [_summary(ctx, ctx.state.groups[name]) for name in page.items], **page.token_member()}


@ops.operation
def delete_schedule_group(ctx: SchedulerContext, request: dict[str, Any]) -> dict[str, Any]:
    """Deletes the group and every schedule in it (AWS does so asynchronously; here at once)."""
    name = request["Name"]
    if name == DEFAULT_GROUP:
        raise invalid("Default group cannot be deleted.")
    group = group_named(ctx, name)
    for schedule in group.schedules.values():
        schedule.cancel_timer()
    del ctx.state.groups[name]
    return {}


def _tagged_group(ctx: SchedulerContext, arn: str) -> ScheduleGroup:
    """The group a tagging request's ResourceArn names (in the caller's account and region)."""
    parsed = try_parse_arn(arn)
    name = parsed.resource.partition("/")[2] if parsed is not None else ""
    if (parsed is None or parsed.account != ctx.state.account or parsed.region != ctx.state.region
            or name not in ctx.state.groups):
        raise group_not_found(name or arn)
    return ctx.state.groups[name]


@ops.operation
def list_tags_for_resource(ctx: SchedulerContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": tagging.to_list(_tagged_group(ctx, request["ResourceArn"]).tags)}


@ops.operation
def tag_resource(ctx: SchedulerContext, request: dict[str, Any]) -> dict[str, Any]:
    group = _tagged_group(ctx, request["ResourceArn"])
    tagging.tag(group.tags, tagging.from_list(request["Tags"]))
    return {}


@ops.operation
def untag_resource(ctx: SchedulerContext, request: dict[str, Any]) -> dict[str, Any]:
    group = _tagged_group(ctx, request["ResourceArn"])
    tagging.untag(group.tags, request["TagKeys"])
    return {}
