"""Schedules: create / get / update / delete / list. Writing a schedule arms its next
invocation on the emulator's clock (``firing.py``); deleting one disarms it."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.paging import paginate
from hoarfrost.core.kit.schedule_expressions import AtSchedule, ScheduleError, parse_schedule, zone
from hoarfrost.services.scheduler.errors import invalid, schedule_exists
from hoarfrost.services.scheduler.handlers import ops
from hoarfrost.services.scheduler.handlers.common import (
    PAGE_SIZE,
    SchedulerContext,
    group_named,
    schedule_named,
    token_error,
)
from hoarfrost.services.scheduler.state import DEFAULT_RETRY_POLICY, Schedule, ScheduleGroup
from hoarfrost.services.scheduler.targets import check_target

# How far in the past a StartDate may lie (AWS allows five minutes of clock skew).
_START_DATE_SLACK = 300.0


def _epoch(value: dt.datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def _settings(ctx: SchedulerContext, request: dict[str, Any]) -> dict[str, Any]:
    """The schedule's fields from a CreateSchedule or UpdateSchedule request (Update replaces
    every field: what it leaves out takes its default), checked as Scheduler checks them."""
    text = request["ScheduleExpression"]
    try:
        expression = parse_schedule(text)
    except ScheduleError:
        raise invalid(f"Invalid Schedule Expression {text}.") from None
    timezone = request.get("ScheduleExpressionTimezone")
    try:
        zone(timezone)
    except ScheduleError:
        raise invalid(f"Invalid ScheduleExpressionTimezone {timezone}.") from None

    start, end = _epoch(request.get("StartDate")), _epoch(request.get("EndDate"))
    if not isinstance(expression, AtSchedule):  # a one-time schedule ignores both dates
        now = ctx.clock.time()
        if start is not None and start < now - _START_DATE_SLACK:
            raise invalid("The StartDate you specify cannot be earlier than 5 minutes prior to the current time.")
        if end is not None and end <= now:
            raise invalid("The EndDate you specify cannot be earlier than the current time.")
        if start is not None and end is not None and end <= start:
            raise invalid("The StartDate must come before the EndDate.")

    window = dict(request["FlexibleTimeWindow"])
    if window["Mode"] == "FLEXIBLE" and "MaximumWindowInMinutes" not in window:
        raise invalid("MaximumWindowInMinutes must be provided when FlexibleTimeWindow Mode is FLEXIBLE.")
    if window["Mode"] == "OFF" and "MaximumWindowInMinutes" in window:
        raise invalid("MaximumWindowInMinutes cannot be provided when FlexibleTimeWindow Mode is OFF.")

    target = copy.deepcopy(request["Target"])
    try:
        check_target(target)
    except ValueError as exc:
        raise invalid(str(exc)) from None
    arn = try_parse_arn(target["Arn"])
    if arn is not None and arn.service == "sqs" and arn.resource.endswith(".fifo") and \
            not (target.get("SqsParameters") or {}).get("MessageGroupId"):
        raise invalid("SqsParameters.MessageGroupId is required for a FIFO queue target.")
    dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
    if dead_letter is not None and dead_letter.endswith(".fifo"):
        raise invalid("A FIFO queue cannot be a dead-letter queue.")
    target["RetryPolicy"] = {**DEFAULT_RETRY_POLICY, **(target.get("RetryPolicy") or {})}

    return {
        "schedule_expression": text, "schedule_expression_timezone": timezone, "start_date": start,
        "end_date": end, "description": request.get("Description"), "state": request.get("State") or "ENABLED",
        "kms_key_arn": request.get("KmsKeyArn"), "target": target, "flexible_time_window": window,
        "action_after_completion": request.get("ActionAfterCompletion") or "NONE",
    }


def _arm(ctx: SchedulerContext, group: ScheduleGroup, schedule: Schedule) -> None:
    ctx.service.firing.arm(ctx.state.account, ctx.state.region, group.name, schedule,
                           since=schedule.last_modification_date)


@ops.operation
def create_schedule(ctx: SchedulerContext, request: dict[str, Any]) -> dict[str, Any]:
    settings = _settings(ctx, request)
    group = group_named(ctx, request.get("GroupName"))
    name = request["Name"]
    existing = group.schedules.get(name)
    if existing is not None:
        token = request.get("ClientToken")
        if token is not None and token == existing.client_token:  # a retried request: the same answer
            return {"ScheduleArn": ctx.state.schedule_arn(group.name, name)}
        raise schedule_exists(name)
    now = ctx.clock.time()
    schedule = Schedule(name=name, creation_date=now, last_modification_date=now,
                        client_token=request.get("ClientToken"), **settings)
    group.schedules[name] = schedule
    _arm(ctx, group, schedule)
    return {"ScheduleArn": ctx.state.schedule_arn(group.name, name)}


@ops.operation
def update_schedule(ctx: SchedulerContext, request: dict[str, Any]) -> dict[str, Any]:
    settings = _settings(ctx, request)
    group, schedule = schedule_named(ctx, request)
    for field, value in settings.items():
        setattr(schedule, field, value)
    schedule.last_modification_date = ctx.clock.time()
    schedule.last_invocation = None  # a new definition: a one-time schedule may run again
    _arm(ctx, group, schedule)
    return {"ScheduleArn": ctx.state.schedule_arn(group.name, schedule.name)}


@ops.operation
def get_schedule(ctx: SchedulerContext, request: dict[str, Any]) -> dict[str, Any]:
    group, schedule = schedule_named(ctx, request)
    out: dict[str, Any] = {
        "Arn": ctx.state.schedule_arn(group.name, schedule.name), "GroupName": group.name, "Name": schedule.name,
        "ScheduleExpression": schedule.schedule_expression, "ScheduleExpressionTimezone": schedule.timezone,
        "State": schedule.state, "CreationDate": schedule.creation_date,
        "LastModificationDate": schedule.last_modification_date, "Target": copy.deepcopy(schedule.target),
        "FlexibleTimeWindow": dict(schedule.flexible_time_window),
        "ActionAfterCompletion": schedule.action_after_completion,
    }
    for member, value in (("StartDate", schedule.start_date), ("EndDate", schedule.end_date),
                          ("Description", schedule.description), ("KmsKeyArn", schedule.kms_key_arn)):
        if value is not None:
            out[member] = value
    return out


@ops.operation
def delete_schedule(ctx: SchedulerContext, request: dict[str, Any]) -> dict[str, Any]:
    group, schedule = schedule_named(ctx, request)
    schedule.cancel_timer()
    del group.schedules[schedule.name]
    return {}


@ops.operation
def list_schedules(ctx: SchedulerContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request.get("GroupName")
    groups = [group_named(ctx, name)] if name else list(ctx.state.groups.values())
    prefix = request.get("NamePrefix") or ""
    state = request.get("State")
    keys = sorted((group.name, schedule.name) for group in groups for schedule in group.schedules.values()
                  if schedule.name.startswith(prefix) and (state is None or schedule.state == state))
    page = paginate(keys, request.get("NextToken"), request.get("MaxResults") or PAGE_SIZE,
                    kind="scheduler:ListSchedules", key=lambda key: key, error=token_error)
    summaries = []
    for group_name, schedule_name in page.items:
        schedule = ctx.state.groups[group_name].schedules[schedule_name]
        summaries.append({
            "Arn": ctx.state.schedule_arn(group_name, schedule_name), "Name": schedule_name,
            "GroupName": group_name, "State": schedule.state, "CreationDate": schedule.creation_date,
            "LastModificationDate": schedule.last_modification_date, "Target": {"Arn": schedule.target["Arn"]},
        })
    return {"Schedules": summaries, **page.token_member()}
