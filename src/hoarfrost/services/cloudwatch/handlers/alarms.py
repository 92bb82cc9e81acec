"""Alarms: metric and composite alarms, their state, history and actions."""

from __future__ import annotations

import json
from typing import Any

from hoarfrost.core.kit import tags as tagging
from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.paging import paginate
from hoarfrost.services.cloudwatch import alarm_rule, evaluation, queries, statistics
from hoarfrost.services.cloudwatch.errors import (
    bad_token,
    errors,
    exclusive,
    invalid_value,
    missing,
    not_found,
    validation,
)
from hoarfrost.services.cloudwatch.evaluation import Notification
from hoarfrost.services.cloudwatch.handlers import ops
from hoarfrost.services.cloudwatch.handlers.common import TAG_RULES, CwContext, epoch
from hoarfrost.services.cloudwatch.state import Alarm, CloudWatchBackend, CompositeAlarm, MetricAlarm

ACTION_LISTS = ("AlarmActions", "OKActions", "InsufficientDataActions")
DEFAULT_PAGE = 50
HISTORY_PAGE = 100


def _after(ctx: CwContext, notifications: list[Notification]) -> None:
    """Publish the actions of a state change once the lock is released."""
    if notifications:
        service, account, region = ctx.service, ctx.scope.account, ctx.scope.region
        ctx.after_commit(lambda: service.run_actions(account, region, notifications))


def _check_actions(request: dict[str, Any]) -> None:
    for member in ACTION_LISTS:
        for action in request.get(member) or ():
            arn = try_parse_arn(action)
            if arn is None:
                raise validation(f"Invalid arn syntax: {action}")


def _tags(request: dict[str, Any]) -> dict[str, str]:
    return tagging.check(tagging.from_list(request.get("Tags"), TAG_RULES), TAG_RULES)


def _store(ctx: CwContext, alarm: Alarm, existing: Alarm | None, request: dict[str, Any]) -> None:
    backend, now = ctx.state, ctx.clock.time()
    alarm.configuration_updated = now
    if existing is None:
        alarm.state_updated = alarm.state_transitioned = now
        alarm.tags = _tags(request)
        item = evaluation.configuration_item(backend, alarm, "Create", now)
    else:
        original = evaluation.describe(backend, existing)
        for member in ("state_value", "state_reason", "state_reason_data", "state_updated", "state_transitioned",
                       "tags", "evaluated_at"):
            setattr(alarm, member, getattr(existing, member))
        item = evaluation.configuration_item(backend, alarm, "Update", now, original)
    if isinstance(alarm, MetricAlarm):
        backend.metric_alarms[alarm.name] = alarm
    else:
        backend.composite_alarms[alarm.name] = alarm
    backend.record(item)


# -- PutMetricAlarm --------------------------------------------------------------------------
def _check_metric_alarm(request: dict[str, Any]) -> None:
    metrics = request.get("Metrics")
    if metrics is not None:
        for member in ("MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit"):
            if request.get(member) is not None:
                raise exclusive(member, "Metrics")
        if not metrics:
            raise missing("Metrics")
        queries.check_queries(metrics, "Metrics")
        returning = [query for query in metrics if query.get("ReturnData", True)
                     and query["Id"] != request.get("ThresholdMetricId")]
        if len(returning) != 1:
            raise validation("Exactly one element of the metrics list should return data.")
        threshold_id = request.get("ThresholdMetricId")
        if threshold_id is not None and threshold_id not in {query["Id"] for query in metrics}:
            raise validation(f"ThresholdMetricId {threshold_id} does not match any metric id in Metrics.")
    else:
        for member in ("MetricName", "Namespace", "Period"):
            if request.get(member) is None:
                raise missing(member)
        statistic, extended = request.get("Statistic"), request.get("ExtendedStatistic")
        if statistic is not None and extended is not None:
            raise exclusive("Statistic", "ExtendedStatistic")
        if statistic is None and extended is None:
            raise errors.InvalidParameterCombinationException(
                "One of the parameters Statistic or ExtendedStatistic must be specified.")
        if extended is not None and not statistics.valid_extended(extended):
            raise invalid_value("ExtendedStatistic", extended)
        if not queries.valid_period(request["Period"]):
            raise invalid_value("Period", request["Period"])
        low_count = request.get("EvaluateLowSampleCountPercentile")
        if low_count is not None and low_count not in ("evaluate", "ignore"):
            raise invalid_value("EvaluateLowSampleCountPercentile", low_count)
    operator = request["ComparisonOperator"]
    if operator in evaluation.BAND_COMPARISONS:
        if request.get("ThresholdMetricId") is None:
            raise validation(f"ComparisonOperator {operator} requires a ThresholdMetricId.")
    elif request.get("Threshold") is None and request.get("ThresholdMetricId") is None:
        raise missing("Threshold")
    periods = request["EvaluationPeriods"]
    datapoints = request.get("DatapointsToAlarm")
    if datapoints is not None and datapoints > periods:
        raise validation("DatapointsToAlarm must be less than or equal to EvaluationPeriods.")
    treatment = request.get("TreatMissingData")
    if treatment is not None and treatment not in evaluation.TREATMENTS:
        raise invalid_value("TreatMissingData", treatment)
    _check_actions(request)


@ops.operation
def put_metric_alarm(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    _check_metric_alarm(request)
    name = request["AlarmName"]
    if name in ctx.state.composite_alarms:
        raise validation(f"An alarm named {name} already exists as a composite alarm.")
    config = {key: value for key, value in request.items() if key != "Tags"}
    _store(ctx, MetricAlarm(name=name, config=config), ctx.state.metric_alarms.get(name), request)
    ctx.after_commit(ctx.service.ensure_ticking)
    return {}


# -- PutCompositeAlarm -----------------------------------------------------------------------
@ops.operation
def put_composite_alarm(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    backend, name = ctx.state, request["AlarmName"]
    try:
        rule = alarm_rule.parse(request["AlarmRule"])
    except alarm_rule.RuleError as exc:
        raise validation(f"Error in AlarmRule: {exc.message}") from None
    children = [evaluation.child_name(backend, reference) for reference in alarm_rule.alarms(rule)]
    if name in children:
        raise validation("A composite alarm cannot reference itself in its AlarmRule.")
    absent = [child for child in children if backend.alarm(child) is None]
    if absent:
        raise validation(f"Could not save the composite alarm as alarms [{', '.join(absent)}] in the alarm rule "
                         f"do not exist")
    if name in backend.metric_alarms:
        raise validation(f"An alarm named {name} already exists as a metric alarm.")
    _check_actions(request)
    config = {key: value for key, value in request.items() if key != "Tags"}
    alarm = CompositeAlarm(name=name, config=config)
    _store(ctx, alarm, backend.composite_alarms.get(name), request)
    _after(ctx, evaluation.settle_composites(backend, ctx.clock.time()))
    return {}


# -- DescribeAlarms --------------------------------------------------------------------------
def _children(backend: CloudWatchBackend, name: str) -> set[str]:
    parent = backend.composite_alarms.get(name)
    if parent is None:
        return set()
    rule = alarm_rule.parse(parent.config["AlarmRule"])
    return {evaluation.child_name(backend, reference) for reference in alarm_rule.alarms(rule)}


def _parents(backend: CloudWatchBackend, name: str) -> set[str]:
    return {parent.name for parent in backend.composite_alarms.values() if name in _children(backend, parent.name)}


@ops.operation
def describe_alarms(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    backend = ctx.state
    types = request.get("AlarmTypes")
    children_of, parents_of = request.get("ChildrenOfAlarmName"), request.get("ParentsOfAlarmName")
    if children_of is not None or parents_of is not None:
        others = [member for member in ("AlarmNames", "AlarmNamePrefix", "StateValue", "ActionPrefix")
                  if request.get(member)]
        if others or (children_of is not None and parents_of is not None):
            raise errors.InvalidParameterCombinationException(
                "If ChildrenOfAlarmName or ParentsOfAlarmName is specified, no other filter but AlarmTypes may be.")
        names = _children(backend, children_of) if children_of is not None else _parents(backend, parents_of or "")
        wanted = set(types or ("MetricAlarm", "CompositeAlarm"))
    else:
        names = None
        wanted = set(types or ("MetricAlarm",))
    chosen = request.get("AlarmNames")
    prefix, state = request.get("AlarmNamePrefix"), request.get("StateValue")
    action_prefix = request.get("ActionPrefix")
    if chosen and prefix:
        raise exclusive("AlarmNames", "AlarmNamePrefix")
    pool: list[Alarm] = []
    if "MetricAlarm" in wanted:
        pool += backend.metric_alarms.values()
    if "CompositeAlarm" in wanted:
        pool += backend.composite_alarms.values()
    found = [alarm for alarm in pool
             if (names is None or alarm.name in names)
             and (not chosen or alarm.name in chosen)
             and (prefix is None or alarm.name.startswith(prefix))
             and (state is None or alarm.state_value == state)
             and (action_prefix is None or any(action.startswith(action_prefix) for member in ACTION_LISTS
                                               for action in alarm.config.get(member) or ()))]
    found.sort(key=lambda alarm: (alarm.name, alarm.kind))
    page = paginate(found, request.get("NextToken"), request.get("MaxRecords") or DEFAULT_PAGE,
                    kind="cloudwatch:DescribeAlarms", error=bad_token, key=lambda alarm: (alarm.name, alarm.kind))
    return {"MetricAlarms": [evaluation.describe(backend, alarm) for alarm in page.items
                             if isinstance(alarm, MetricAlarm)],
            "CompositeAlarms": [evaluation.describe(backend, alarm) for alarm in page.items
                                if isinstance(alarm, CompositeAlarm)],
            **page.token_member()}


@ops.operation
def describe_alarms_for_metric(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    dimensions = queries.dimensions_of(request.get("Dimensions"))
    found = []
    for alarm in sorted(ctx.state.metric_alarms.values(), key=lambda alarm: alarm.name):
        config = alarm.config
        if (config.get("MetricName") != request["MetricName"] or config.get("Namespace") != request["Namespace"]
                or queries.dimensions_of(config.get("Dimensions")) != dimensions):
            continue
        if any(request.get(member) is not None and config.get(member) != request[member]
               for member in ("Statistic", "ExtendedStatistic", "Period", "Unit")):
            continue
        found.append(evaluation.describe(ctx.state, alarm))
    return {"MetricAlarms": found}


# -- history ---------------------------------------------------------------------------------
@ops.operation
def describe_alarm_history(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    name, kind = request.get("AlarmName"), request.get("HistoryItemType")
    types = set(request.get("AlarmTypes") or ("MetricAlarm",))
    start, end = epoch(request.get("StartDate")), epoch(request.get("EndDate"))
    found = [item for item in ctx.state.history
             if (name is None or item.alarm_name == name) and (kind is None or item.history_item_type == kind)
             and item.alarm_type in types and (start is None or item.timestamp >= start)
             and (end is None or item.timestamp <= end)]
    if request.get("ScanBy", "TimestampDescending") == "TimestampDescending":
        found.reverse()
    page = paginate(found, request.get("NextToken"), request.get("MaxRecords") or HISTORY_PAGE,
                    kind="cloudwatch:DescribeAlarmHistory", error=bad_token)
    return {"AlarmHistoryItems": [item.to_wire() for item in page.items], **page.token_member()}


# -- delete, actions, state ------------------------------------------------------------------
@ops.operation
def delete_alarms(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    backend, names = ctx.state, request["AlarmNames"]
    absent = [name for name in names if backend.alarm(name) is None]
    if absent:
        raise not_found(f"{len(absent)} of {len(names)} alarm(s) not found: [{', '.join(absent)}]")
    deleting = set(names)
    for parent in backend.composite_alarms.values():
        if parent.name not in deleting and _children(backend, parent.name) & deleting:
            raise validation(f"Alarm {sorted(_children(backend, parent.name) & deleting)[0]} is referenced in the "
                             f"AlarmRule of composite alarm {parent.name} and cannot be deleted.")
    now = ctx.clock.time()
    for name in names:
        alarm = backend.alarm(name)
        if alarm is None:
            continue
        backend.record(evaluation.configuration_item(backend, alarm, "Delete", now))
        backend.metric_alarms.pop(name, None)
        backend.composite_alarms.pop(name, None)
    return {}


def _set_actions_enabled(ctx: CwContext, names: list[str], enabled: bool) -> None:
    for name in names:
        alarm = ctx.state.alarm(name)
        if alarm is not None:
            alarm.config["ActionsEnabled"] = enabled


@ops.operation
def enable_alarm_actions(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    _set_actions_enabled(ctx, request["AlarmNames"], True)
    return {}


@ops.operation
def disable_alarm_actions(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    _set_actions_enabled(ctx, request["AlarmNames"], False)
    return {}


@ops.operation
def set_alarm_state(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    backend, name = ctx.state, request["AlarmName"]
    alarm = backend.alarm(name)
    if alarm is None:
        raise not_found(f"Alarm {name} not found")
    data = request.get("StateReasonData")
    if data is not None:
        try:
            json.loads(data)
        except ValueError:
            raise errors.InvalidFormatFault("Unable to parse StateReasonData: it is not valid JSON.") from None
    now = ctx.clock.time()
    notifications = evaluation.set_state(backend, alarm, request["StateValue"], request["StateReason"], data, now,
                                         force=True)
    notifications += evaluation.settle_composites(backend, now, keep=name)
    _after(ctx, notifications)
    return {}
