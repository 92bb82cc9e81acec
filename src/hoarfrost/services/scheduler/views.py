"""EventBridge Scheduler's typed state view: one account/region's schedule groups, each with
its tags and schedules (expression, time zone, dates, state, target with its retry policy and
dead-letter queue, flexible window, KMS key, action after completion, last invocation).

Each resource's view is derived from its record in ``state.py``. What is written here: the
checks a view passes before it becomes state (names, expressions, time zones, the default
group's presence), and merge.

Keys: a group by ``name``, a schedule by ``name`` within its group. The ``default`` group is
always present after a restore, even when a view leaves it out.

Merge rule: a group whose name exists takes the view's tags and dates, and its schedules merge
by name (a schedule in the view replaces the one of that name; others are kept); new groups and
schedules are added; nothing is removed. After a restore or a merge every enabled schedule is
armed again from the emulator's current time.
"""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import Field

from hoarfrost.core.kit.records import RecordView, record_view
from hoarfrost.core.kit.schedule_expressions import ScheduleError, parse_schedule, zone
from hoarfrost.core.views import StateView, StateViewError
from hoarfrost.services.scheduler.state import DEFAULT_GROUP, Schedule, ScheduleGroup, SchedulerBackend

_NAME = re.compile(r"[0-9a-zA-Z\-_.]{1,64}")


@record_view(Schedule, key="name")
class ScheduleView(RecordView):
    """One schedule of its group. ``last_invocation`` is the scheduled moment it last invoked its
    target: a one-time schedule with one does not run again."""


@record_view(ScheduleGroup, key="name")
class ScheduleGroupView(RecordView):
    """A schedule group, its tags and its schedules."""


class SchedulerStateView(StateView):
    """EventBridge Scheduler state of one account/region (keys and merge: see
    ``hoarfrost.services.scheduler.views``)."""

    SCHEMA_VERSION: ClassVar[int] = 1

    schedule_groups: list[ScheduleGroupView] = Field(default_factory=list)


def to_view(backend: SchedulerBackend) -> SchedulerStateView:
    return SchedulerStateView(schedule_groups=[ScheduleGroupView.of(group) for group in backend.groups.values()])


def from_view(view: SchedulerStateView, account: str, region: str, now: float) -> SchedulerBackend:
    """A new backend from ``view``; raises StateViewError('invalid') for what could never have
    been created through the API."""
    backend = SchedulerBackend(account, region, created=now)
    backend.groups.clear()
    for group_view in view.schedule_groups:
        if group_view.name in backend.groups:
            raise StateViewError("invalid", f"scheduler: schedule group {group_view.name!r} appears twice")
        group: ScheduleGroup = group_view.to_record()
        _check_name("schedule group", group.name)
        for schedule in group.schedules.values():
            _check_schedule(group.name, schedule)
        backend.groups[group.name] = group
    if DEFAULT_GROUP not in backend.groups:
        backend.ensure_default(now)
        backend.default_implied = True
    return backend


def merge(target: SchedulerBackend, source: SchedulerBackend) -> None:
    """Overlay ``source`` (built from a view) on ``target`` by the merge rule; a default group
    the view did not name (``from_view`` adds one) leaves the existing one as it is."""
    for name, group in source.groups.items():
        if name == DEFAULT_GROUP and source.default_implied:
            continue
        existing = target.groups.get(name)
        if existing is None:
            target.groups[name] = group
            continue
        for schedule in existing.schedules.values():
            if schedule.name in group.schedules:
                schedule.cancel_timer()
        ScheduleGroupView.merge(existing, group)


def _check_name(kind: str, name: str) -> None:
    if not _NAME.fullmatch(name):
        raise StateViewError("invalid", f"scheduler: {name!r} is not a valid {kind} name")


def _check_schedule(group: str, schedule: Schedule) -> None:
    _check_name("schedule", schedule.name)
    where = f"scheduler: schedule {group}/{schedule.name}"
    try:
        parse_schedule(schedule.schedule_expression)
        zone(schedule.schedule_expression_timezone)
    except ScheduleError as exc:
        raise StateViewError("invalid", f"{where}: {exc.message}") from exc
    if schedule.state not in ("ENABLED", "DISABLED"):
        raise StateViewError("invalid", f"{where}: state must be ENABLED or DISABLED, not {schedule.state!r}")
    if schedule.action_after_completion not in ("NONE", "DELETE"):
        raise StateViewError("invalid", f"{where}: action_after_completion must be NONE or DELETE")
    if not schedule.target.get("Arn") or not schedule.target.get("RoleArn"):
        raise StateViewError("invalid", f"{where}: a target needs an arn and a role_arn")
    if schedule.flexible_time_window.get("Mode") not in ("OFF", "FLEXIBLE"):
        raise StateViewError("invalid", f"{where}: flexible_time_window.mode must be OFF or FLEXIBLE")
