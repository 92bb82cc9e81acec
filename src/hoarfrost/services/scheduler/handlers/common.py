"""What Scheduler's handlers share: the typed context, reaching a group or a schedule, pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.operations import RequestContext
from hoarfrost.services.scheduler.errors import group_not_found, invalid, schedule_not_found
from hoarfrost.services.scheduler.state import DEFAULT_GROUP, Schedule, ScheduleGroup, SchedulerBackend

if TYPE_CHECKING:
    from hoarfrost.services.scheduler.service import SchedulerService  # noqa: F401  (named in the context)

SchedulerContext = RequestContext[SchedulerBackend, "SchedulerService"]

# ListSchedules / ListScheduleGroups without MaxResults.
PAGE_SIZE = 100


def token_error() -> ServiceError:
    return invalid("Invalid NextToken.")


def group_named(ctx: SchedulerContext, name: str | None) -> ScheduleGroup:
    """The group ``name`` (the default group when None); ResourceNotFoundException otherwise."""
    name = name or DEFAULT_GROUP
    group = ctx.state.groups.get(name)
    if group is None:
        raise group_not_found(name)
    return group


def schedule_named(ctx: SchedulerContext, request: dict[str, Any]) -> tuple[ScheduleGroup, Schedule]:
    """The schedule a request names by Name and GroupName; ResourceNotFoundException otherwise."""
    group = ctx.state.groups.get(request.get("GroupName") or DEFAULT_GROUP)
    schedule = group.schedules.get(request["Name"]) if group is not None else None
    if group is None or schedule is None:
        raise schedule_not_found(request["Name"])
    return group, schedule
