"""EventBridge Scheduler's internal state for one account/region: schedule groups, each holding
its schedules.

Schedules live inside their group (a schedule's identity is group + name, and deleting a group
deletes its schedules), so a look-up is two dictionary reads. The dataclasses are also the
declaration of the state view (``views.py`` derives each view from its record); runtime-only
fields (the parsed expression, the pending timer) are kept out of it by metadata.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.kit.records import EPOCH, OPTIONAL_EPOCH, VIEW_EXCLUDE, view_as
from hoarfrost.core.kit.schedule_expressions import AtSchedule, parse_schedule, zone
from hoarfrost.core.kit.schedule_expressions import Schedule as Expression
from hoarfrost.core.kit.shape_views import document_converter, shape_view
from hoarfrost.core.timers import Timer

DEFAULT_GROUP = "default"
UTC = dt.UTC

# What GetSchedule shows for a target without a retry policy: AWS's defaults.
DEFAULT_RETRY_POLICY = {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}


def group_arn(region: str, account: str, name: str) -> str:
    return build_arn("scheduler", region, account, f"schedule-group/{name}")


def schedule_arn(region: str, account: str, group: str, name: str) -> str:
    return build_arn("scheduler", region, account, f"schedule/{group}/{name}")


@dataclass
class Schedule:
    """One schedule. ``target`` and ``flexible_time_window`` are stored as the request gave
    them (member-named dicts, typed in the view by botocore's shapes)."""

    name: str
    schedule_expression: str
    target: dict[str, Any] = field(metadata=view_as(document_converter(shape_view("scheduler", "Target"))))
    flexible_time_window: dict[str, Any] = field(
        metadata=view_as(document_converter(shape_view("scheduler", "FlexibleTimeWindow"))))
    creation_date: float = field(metadata=view_as(EPOCH))
    last_modification_date: float = field(metadata=view_as(EPOCH))
    schedule_expression_timezone: str | None = None
    start_date: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH))
    end_date: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH))
    description: str | None = None
    state: str = "ENABLED"
    kms_key_arn: str | None = None
    action_after_completion: str = "NONE"
    client_token: str | None = None
    # The moment (by the schedule) of the last invocation: a one-time schedule that already ran
    # does not run again after a restore, and a recurring one resumes after it.
    last_invocation: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH))
    # Runtime only: the parsed expression (a cache) and the timer of the next invocation.
    _expression: Expression | None = field(default=None, repr=False, compare=False, metadata=VIEW_EXCLUDE)
    _timer: Timer | None = field(default=None, repr=False, compare=False, metadata=VIEW_EXCLUDE)

    @property
    def expression(self) -> Expression:
        """The parsed ScheduleExpression (parsed on first use, then kept)."""
        if self._expression is None or self._expression.text != self.schedule_expression:
            self._expression = parse_schedule(self.schedule_expression)
        return self._expression

    @property
    def timezone(self) -> str:
        return self.schedule_expression_timezone or "UTC"

    @property
    def one_time(self) -> bool:
        return isinstance(self.expression, AtSchedule)

    def next_invocation(self, after: float, *, inclusive: bool = False) -> float | None:
        """The first moment (epoch seconds) the schedule invokes its target after ``after`` (or
        at it, with ``inclusive``), within its start and end dates; None when it never will.

        A rate counts from the start date, or from when the schedule was last written: AWS
        starts a rate schedule without a start date at once. A one-time schedule ignores both
        dates and runs once, even when its moment is already past."""
        expression = self.expression
        if isinstance(expression, AtSchedule):
            if self.last_invocation is not None:
                return None
            return expression.moment(zone(self.timezone)).timestamp()
        start = self.start_date
        anchor = start if start is not None else self.last_modification_date
        floor = after if start is None or start <= after else start
        moment = dt.datetime.fromtimestamp(floor, UTC)
        if inclusive or (start is not None and start > after):
            moment -= dt.timedelta(microseconds=1)
        following = expression.next_after(moment, zone(self.timezone),
                                          anchor=dt.datetime.fromtimestamp(anchor, UTC))
        if following is None:
            return None
        when = following.timestamp()
        if self.end_date is not None and when > self.end_date:
            return None
        return when

    def cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


@dataclass
class ScheduleGroup:
    """A schedule group and the schedules in it, by name."""

    name: str
    creation_date: float = field(metadata=view_as(EPOCH))
    last_modification_date: float = field(metadata=view_as(EPOCH))
    tags: dict[str, str] = field(default_factory=dict)
    schedules: dict[str, Schedule] = field(default_factory=dict)


class SchedulerBackend:
    """One account/region: its schedule groups by name (``default`` always among them)."""

    def __init__(self, account: str, region: str, created: float = 0.0) -> None:
        self.account = account
        self.region = region
        self.groups: dict[str, ScheduleGroup] = {}
        self.ensure_default(created)
        # True when built from a view that left the default group out (merge then keeps ours).
        self.default_implied = False

    def ensure_default(self, created: float) -> ScheduleGroup:
        """The ``default`` group, which every account has in every region."""
        group = self.groups.get(DEFAULT_GROUP)
        if group is None:
            group = self.groups[DEFAULT_GROUP] = ScheduleGroup(DEFAULT_GROUP, created, created)
        return group

    def group_arn(self, name: str) -> str:
        return group_arn(self.region, self.account, name)

    def schedule_arn(self, group: str, name: str) -> str:
        return schedule_arn(self.region, self.account, group, name)

    def schedules(self) -> list[tuple[ScheduleGroup, Schedule]]:
        """Every schedule with its group."""
        return [(group, schedule) for group in self.groups.values() for schedule in group.schedules.values()]
