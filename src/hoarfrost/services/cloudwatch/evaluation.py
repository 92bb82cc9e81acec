"""How alarms change state: a metric alarm's evaluation of its last periods, a composite
alarm's rule, the history items and SNS notifications a change makes, in AWS's formats.

Everything here runs with the scope's lock held and only computes; the notifications it
returns are published by the service after the lock is released.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import botocore.session

from hoarfrost.core.kit.arn import build_arn, try_parse_arn
from hoarfrost.services.cloudwatch import alarm_rule, metric_math, queries
from hoarfrost.services.cloudwatch.state import (
    Alarm,
    CloudWatchBackend,
    CompositeAlarm,
    HistoryItem,
    MetricAlarm,
)

COMPARISONS: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "GreaterThanOrEqualToThreshold": ("greater than or equal to", lambda value, limit: value >= limit),
    "GreaterThanThreshold": ("greater than", lambda value, limit: value > limit),
    "LessThanThreshold": ("less than", lambda value, limit: value < limit),
    "LessThanOrEqualToThreshold": ("less than or equal to", lambda value, limit: value <= limit),
}
BAND_COMPARISONS = ("LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold")
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")


@dataclass(frozen=True)
class Notification:
    """One action to run after commit for an alarm's state change: ``message`` (with
    ``subject``) is what an SNS topic gets, ``event`` what a Lambda function gets."""

    alarm_name: str
    alarm_type: str
    target: str
    subject: str
    message: str
    state_updated: float
    event: str = ""
    # False for the EventBridge event every transition sends: it is no action, so no history item.
    recorded: bool = True


@functools.cache
def region_description(region: str) -> str:
    """'US East (N. Virginia)' for us-east-1: how notifications name the region."""
    endpoints = botocore.session.get_session().get_component("data_loader").load_data("endpoints")
    for partition in endpoints["partitions"]:
        found = partition["regions"].get(region)
        if found is not None:
            return str(found.get("description", region))
    return region


def iso(seconds: float) -> str:
    """AWS's timestamp in alarm JSON: 2026-12-04T18:21:00.000+0000."""
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _short(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%d/%m/%y %H:%M:%S")


def _number(value: float) -> str:
    return repr(float(value))


# -- describing alarms -----------------------------------------------------------------------
def describe(backend: CloudWatchBackend, alarm: Alarm) -> dict[str, Any]:
    """The alarm as DescribeAlarms answers it."""
    out: dict[str, Any] = {key: value for key, value in alarm.config.items() if key != "Tags"}
    out.setdefault("ActionsEnabled", True)
    for member in ("OKActions", "AlarmActions", "InsufficientDataActions"):
        out.setdefault(member, [])
    out.update({"AlarmArn": backend.alarm_arn(alarm.name), "AlarmConfigurationUpdatedTimestamp":
                alarm.configuration_updated, "StateValue": alarm.state_value, "StateReason": alarm.state_reason,
                "StateUpdatedTimestamp": alarm.state_updated, "StateTransitionedTimestamp": alarm.state_transitioned})
    if alarm.state_reason_data is not None:
        out["StateReasonData"] = alarm.state_reason_data
    if isinstance(alarm, MetricAlarm) and "Metrics" not in alarm.config:
        out.setdefault("Dimensions", [])
    return out


def _history_alarm(described: dict[str, Any]) -> dict[str, Any]:
    """An alarm as ConfigurationUpdate history data holds it (timestamps as AWS's text)."""
    out = dict(described)
    for member in ("AlarmConfigurationUpdatedTimestamp", "StateUpdatedTimestamp", "StateTransitionedTimestamp"):
        if member in out:
            out[member] = iso(out[member])
    out.pop("StateReasonData", None)
    # AWS spells OKActions "okactions" there.
    return {("okactions" if key == "OKActions" else key[0].lower() + key[1:]): value for key, value in out.items()}


def configuration_item(backend: CloudWatchBackend, alarm: Alarm, kind: str, at: float,
                       original: dict[str, Any] | None = None) -> HistoryItem:
    """The ConfigurationUpdate item of a Create, Update or Delete."""
    described = _history_alarm(describe(backend, alarm))
    data: dict[str, Any] = {"version": "1.0", "type": kind}
    if kind == "Create":
        data["createdAlarm"] = described
    elif kind == "Update":
        data["originalAlarm"] = _history_alarm(original or {})
        data["updatedAlarm"] = described
    else:
        data["deletedAlarm"] = described
    verb = {"Create": "created", "Update": "updated", "Delete": "deleted"}[kind]
    return HistoryItem(alarm_name=alarm.name, alarm_type=alarm.kind, timestamp=at,
                       history_item_type="ConfigurationUpdate", history_summary=f'Alarm "{alarm.name}" {verb}',
                       history_data=json.dumps(data, separators=(",", ":")))


# -- changing state --------------------------------------------------------------------------
def set_state(backend: CloudWatchBackend, alarm: Alarm, state: str, reason: str, reason_data: str | None,
              at: float, *, force: bool = False) -> list[Notification]:
    """Move ``alarm`` to ``state`` (recording history); the notifications its actions send.
    An evaluation that keeps the state changes nothing; SetAlarmState (``force``) always
    records and, on a change, acts."""
    old_state, old_reason, old_data = alarm.state_value, alarm.state_reason, alarm.state_reason_data
    old_updated = alarm.state_updated
    changed = state != old_state
    if not changed and not force:
        # The state holds but for another reason (an alarm that never had data): AWS updates the
        # reason and StateUpdatedTimestamp, not StateTransitionedTimestamp, and records nothing.
        if reason != old_reason:
            alarm.state_reason, alarm.state_reason_data, alarm.state_updated = reason, reason_data, at
        return []
    alarm.state_value, alarm.state_reason, alarm.state_reason_data = state, reason, reason_data
    alarm.state_updated = at
    if changed:
        alarm.state_transitioned = at
    old: dict[str, Any] = {"stateValue": old_state, "stateReason": old_reason}
    if old_data:
        old["stateReasonData"] = _json_or_text(old_data)
    new: dict[str, Any] = {"stateValue": state, "stateReason": reason}
    if reason_data:
        new["stateReasonData"] = _json_or_text(reason_data)
    backend.record(HistoryItem(
        alarm_name=alarm.name, alarm_type=alarm.kind, timestamp=at, history_item_type="StateUpdate",
        history_summary=f"Alarm updated from {old_state} to {state}",
        history_data=json.dumps({"version": "1.0", "oldState": old, "newState": new}, separators=(",", ":"))))
    if not changed:
        return []
    # Every transition goes to the default event bus ("CloudWatch Alarm State Change"), actions or not.
    alarm_data = _alarm_data(backend, alarm, old, old_updated, new, at)
    bus = build_arn("events", backend.region, backend.account, "event-bus/default")
    envelope = {"version": "0", "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
                "account": backend.account, "time": iso(at)[:19] + "Z", "region": backend.region,
                "resources": [backend.alarm_arn(alarm.name)], "detail": alarm_data}
    notifications = [Notification(alarm.name, alarm.kind, bus, "", json.dumps(envelope, separators=(",", ":")), at,
                                  recorded=False)]
    if not alarm.config.get("ActionsEnabled", True):
        return notifications
    targets = alarm.config.get({"ALARM": "AlarmActions", "OK": "OKActions"}.get(state, "InsufficientDataActions")) or []
    if not targets:
        return notifications
    message = json.dumps(_notification(backend, alarm, old_state), separators=(",", ":"))
    subject = f'{state}: "{alarm.name}" in {region_description(backend.region)}'
    event = ""
    if any(":lambda:" in target for target in targets):
        event = json.dumps({"source": "aws.cloudwatch", "alarmArn": backend.alarm_arn(alarm.name),
                            "accountId": backend.account, "time": iso(at), "region": backend.region,
                            "alarmData": alarm_data}, separators=(",", ":"))
    return notifications + [Notification(alarm.name, alarm.kind, target, subject[:100], message, at, event)
                            for target in targets]


def _alarm_data(backend: CloudWatchBackend, alarm: Alarm, old: dict[str, Any], old_updated: float,
                new: dict[str, Any], at: float) -> dict[str, Any]:
    """The ``alarmData`` of a Lambda action's event, which is also the ``detail`` of the
    EventBridge event: the alarm's name, its new and previous state, its configuration."""
    def state(item: dict[str, Any], moment: float) -> dict[str, Any]:
        out = {"value": item["stateValue"], "reason": item["stateReason"], "timestamp": iso(moment)}
        if "stateReasonData" in item:
            out["reasonData"] = json.dumps(item["stateReasonData"], separators=(",", ":"))
        return out

    config = alarm.config
    configuration: dict[str, Any] = {"description": config.get("AlarmDescription")}
    if isinstance(alarm, CompositeAlarm):
        configuration["alarmRule"] = config.get("AlarmRule")
    elif "Metrics" in config:
        configuration["metrics"] = [_lower_keys(query) for query in config["Metrics"]]
    else:
        metric = {"namespace": config.get("Namespace"), "name": config.get("MetricName"),
                  "dimensions": {item["Name"]: item["Value"] for item in config.get("Dimensions") or ()}}
        configuration["metrics"] = [{"id": "m1", "returnData": True, "metricStat": {
            "metric": metric, "period": config.get("Period"),
            "stat": config.get("ExtendedStatistic") or config.get("Statistic"), "unit": config.get("Unit")}}]
    return {"alarmName": alarm.name, "state": state(new, at), "previousState": state(old, old_updated),
            "configuration": configuration}


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _notification(backend: CloudWatchBackend, alarm: Alarm, old_state: str) -> dict[str, Any]:
    """AWS's alarm notification body."""
    config = alarm.config
    body: dict[str, Any] = {
        "AlarmName": alarm.name, "AlarmDescription": config.get("AlarmDescription"),
        "AWSAccountId": backend.account, "AlarmConfigurationUpdatedTimestamp": iso(alarm.configuration_updated),
        "NewStateValue": alarm.state_value, "NewStateReason": alarm.state_reason,
        "StateChangeTime": iso(alarm.state_updated), "Region": region_description(backend.region),
        "AlarmArn": backend.alarm_arn(alarm.name), "OldStateValue": old_state,
        "OKActions": config.get("OKActions") or [], "AlarmActions": config.get("AlarmActions") or [],
        "InsufficientDataActions": config.get("InsufficientDataActions") or [],
    }
    if isinstance(alarm, CompositeAlarm):
        body["AlarmRule"] = config.get("AlarmRule")
        return body
    trigger: dict[str, Any] = {"Period": config.get("Period"), "EvaluationPeriods": config.get("EvaluationPeriods"),
                               "DatapointsToAlarm": config.get("DatapointsToAlarm", config.get("EvaluationPeriods")),
                               "ComparisonOperator": config.get("ComparisonOperator"),
                               "Threshold": config.get("Threshold"),
                               "TreatMissingData": config.get("TreatMissingData", "missing"),
                               "EvaluateLowSampleCountPercentile": config.get("EvaluateLowSampleCountPercentile", "")}
    if "Metrics" in config:
        trigger["Metrics"] = [_lower_keys(query) for query in config["Metrics"]]
        trigger.pop("Period")
    else:
        extended = config.get("ExtendedStatistic")
        trigger.update({"MetricName": config.get("MetricName"), "Namespace": config.get("Namespace"),
                        "StatisticType": "ExtendedStatistic" if extended else "Statistic",
                        "Statistic": extended or str(config.get("Statistic", "")).upper(),
                        "Unit": config.get("Unit"),
                        "Dimensions": [{"value": item["Value"], "name": item["Name"]}
                                       for item in config.get("Dimensions") or ()]})
    body["Trigger"] = trigger
    return body


def _lower_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {key[0].lower() + key[1:]: _lower_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_lower_keys(item) for item in value]
    return value


# -- metric alarms ---------------------------------------------------------------------------
def _alarm_series(backend: CloudWatchBackend, alarm: MetricAlarm, start: float, end: float
                  ) -> tuple[metric_math.Series, dict[float, float], metric_math.Value | None]:
    """The alarm's values per period in [start, end), their sample counts, and the threshold
    series (ThresholdMetricId) if any."""
    config = alarm.config
    if "Metrics" not in config:
        stat = config.get("ExtendedStatistic") or config.get("Statistic", "Average")
        metric = {"Namespace": config.get("Namespace"), "MetricName": config.get("MetricName"),
                  "Dimensions": config.get("Dimensions") or []}
        series, counts = queries.metric_series(backend, metric, config["Period"], stat, config.get("Unit"),
                                               start, end, end)
        return series, counts, None
    metrics = config["Metrics"]
    values = queries.run(backend, metrics, start, end, end)
    threshold_id = config.get("ThresholdMetricId")
    returned = [query["Id"] for query in metrics if query.get("ReturnData", True) and query["Id"] != threshold_id]
    value = values.get(returned[0]) if returned else None
    series = value if isinstance(value, dict) else {}
    return series, {}, values.get(threshold_id) if threshold_id else None


def _period(alarm: MetricAlarm) -> int:
    config = alarm.config
    if "Metrics" not in config:
        return int(config["Period"])
    return queries.query_period(config["Metrics"])


def _breaches(alarm: MetricAlarm, at: float, value: float, threshold: metric_math.Value | None) -> bool:
    operator = alarm.config.get("ComparisonOperator", "GreaterThanThreshold")
    if operator in COMPARISONS:
        limit = alarm.config.get("Threshold", 0.0)
        if isinstance(threshold, dict):
            if at not in threshold:
                return False
            limit = threshold[at]
        return bool(COMPARISONS[operator][1](value, limit))
    band = threshold if isinstance(threshold, list) and len(threshold) == 2 else None
    if band is None or at not in band[0] or at not in band[1]:
        return False
    lower, upper = sorted((band[0][at], band[1][at]))
    if operator == "LessThanLowerThreshold":
        return value < lower
    if operator == "GreaterThanUpperThreshold":
        return value > upper
    return value < lower or value > upper


def evaluate_metric_alarm(backend: CloudWatchBackend, alarm: MetricAlarm, at: float
                          ) -> tuple[str, str, str] | None:
    """The state the alarm's last EvaluationPeriods periods before ``at`` put it in, with the
    reason and reason data; None when it keeps its state (missing data treated as ``ignore``)."""
    config = alarm.config
    period = _period(alarm)
    periods = int(config.get("EvaluationPeriods", 1))
    needed = int(config.get("DatapointsToAlarm") or periods)
    end = at // period * period
    start = end - periods * period
    series, counts, threshold = _alarm_series(backend, alarm, start, end)
    stamps = [start + index * period for index in range(periods)]
    present = [(stamp, series[stamp]) for stamp in reversed(stamps) if stamp in series]
    treatment = config.get("TreatMissingData", "missing")
    missing = periods - len(present)
    data: dict[str, Any] = {"version": "1.0", "queryDate": iso(at), "startDate": iso(start)}
    if "Metrics" not in config:
        if config.get("ExtendedStatistic"):
            data["extendedStatistic"] = config["ExtendedStatistic"]
        else:
            data["statistic"] = config.get("Statistic")
        data["period"] = period
        if config.get("Unit"):
            data["unit"] = config["Unit"]
    data["recentDatapoints"] = [value for _, value in present]
    if "Threshold" in config:
        data["threshold"] = config["Threshold"]
    evaluated = [{"timestamp": iso(stamp), **({"sampleCount": counts[stamp]} if stamp in counts else {}),
                  "value": value} for stamp, value in present]
    if not present:
        data["evaluatedDatapoints"] = [{"timestamp": iso(stamp)} for stamp in reversed(stamps)]
        if treatment == "ignore":
            return None
        if treatment == "missing":
            noun = "datapoint was" if periods == 1 else "datapoints were"
            return "INSUFFICIENT_DATA", f"Insufficient Data: {periods} {noun} unknown.", _dump(data)
        state = "ALARM" if treatment == "breaching" else "OK"
        return state, (f"no datapoints were received for {periods} period{'s' if periods != 1 else ''} and "
                       f"{periods} missing datapoint{'s were' if periods != 1 else ' was'} treated as "
                       f"[{'Breaching' if treatment == 'breaching' else 'NonBreaching'}]."), _dump(data)
    breaching = [(stamp, value) for stamp, value in present if _breaches(alarm, stamp, value, threshold)]
    count = len(breaching) + (missing if treatment == "breaching" else 0)
    state = "ALARM" if count >= needed else "OK"
    data["evaluatedDatapoints"] = evaluated
    operator = config.get("ComparisonOperator", "GreaterThanThreshold")
    words = COMPARISONS[operator][0] if operator in COMPARISONS else "outside the band"
    limit = f"the threshold ({_number(config['Threshold'])})" if "Threshold" in config else "the threshold"
    shown = breaching if breaching else present
    listed = ", ".join(f"{_number(value)} ({_short(stamp)})" for stamp, value in shown)
    verb = "was" if len(shown) == 1 else "were"
    if not breaching:
        noun = "datapoint" if len(shown) == 1 else "datapoints"
        reason = f"Threshold Crossed: {len(shown)} {noun} [{listed}] {verb} not {words} {limit}."
    elif periods == 1:
        reason = f"Threshold Crossed: 1 datapoint [{listed}] was {words} {limit}."
    else:
        reason = (f"Threshold Crossed: {len(breaching)} out of the last {periods} datapoints [{listed}] {verb} "
                  f"{words} {limit} (minimum {needed} datapoint{'s' if needed != 1 else ''} for OK -> ALARM "
                  f"transition).")
    return state, reason, _dump(data)


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))


# -- composite alarms ------------------------------------------------------------------------
def child_name(backend: CloudWatchBackend, reference: str) -> str:
    """The alarm a rule names by name or by ARN (an ARN of this scope: its name)."""
    arn = try_parse_arn(reference)
    if arn is not None and arn.service == "cloudwatch" and arn.resource.startswith("alarm:"):
        if arn.account == backend.account and arn.region == backend.region:
            return arn.resource[len("alarm:"):]
    return reference


def evaluate_composite(backend: CloudWatchBackend, alarm: CompositeAlarm, at: float) -> tuple[str, str, str]:
    rule = alarm_rule.parse(alarm.config["AlarmRule"])
    children = [child_name(backend, reference) for reference in alarm_rule.alarms(rule)]

    def state_of(reference: str) -> str | None:
        child = backend.alarm(child_name(backend, reference))
        return child.state_value if child is not None else None

    holds = alarm_rule.evaluate(rule, state_of)
    state = "ALARM" if holds else "OK"
    triggering = [backend.alarm(name) for name in children]
    present = [child for child in triggering if child is not None]
    latest = max(present, key=lambda child: child.state_transitioned, default=None)
    if latest is not None:
        moment = dt.datetime.fromtimestamp(latest.state_transitioned, dt.UTC)
        reason = (f"{backend.alarm_arn(latest.name)} transitioned to {latest.state_value} at "
                  f"{moment.strftime('%A %d %B, %Y %H:%M:%S')} UTC")
    else:
        reason = f"The alarm rule evaluated to {'TRUE' if holds else 'FALSE'}"
    data = {"triggeringAlarms": [{"arn": backend.alarm_arn(child.name),
                                  "state": {"value": child.state_value, "timestamp": iso(child.state_transitioned)}}
                                 for child in present]}
    return state, reason, _dump(data)


def settle_composites(backend: CloudWatchBackend, at: float, keep: str | None = None) -> list[Notification]:
    """Re-evaluate composite alarms until none changes (a composite may name another); ``keep``
    is a composite whose state SetAlarmState just set (it holds until the next evaluation)."""
    notifications: list[Notification] = []
    for _ in range(len(backend.composite_alarms) + 1):
        changed = False
        for alarm in list(backend.composite_alarms.values()):
            if alarm.name == keep:
                continue
            state, reason, data = evaluate_composite(backend, alarm, at)
            changed = changed or state != alarm.state_value
            notifications += set_state(backend, alarm, state, reason, data, at)
        if not changed:
            break
    return notifications


def evaluate_all(backend: CloudWatchBackend, at: float) -> tuple[bool, list[Notification]]:
    """One evaluation pass at ``at``: every metric alarm, then the composites. Answers whether
    any alarm's state or reason changed, and the notifications to publish."""
    def signature() -> list[tuple[str, str]]:
        return [(alarm.state_value, alarm.state_reason)
                for alarms in (backend.metric_alarms, backend.composite_alarms) for alarm in alarms.values()]

    before = signature()
    notifications: list[Notification] = []
    for alarm in list(backend.metric_alarms.values()):
        outcome = evaluate_metric_alarm(backend, alarm, at)
        alarm.evaluated_at = at
        if outcome is not None:
            notifications += set_state(backend, alarm, *outcome, at)
    if backend.composite_alarms:
        notifications += settle_composites(backend, at)
    return signature() != before, notifications


def action_item(notification: Notification, error: str | None, account: str) -> HistoryItem:
    """The Action history item of one executed (or failed) action."""
    data: dict[str, Any] = {"actionState": "Failed" if error else "Succeeded",
                            "stateUpdateTimestamp": int(notification.state_updated * 1000),
                            "notificationResource": notification.target}
    if error:
        data["error"] = error
        summary = f"Failed to execute action {notification.target}. Received error: \"{error}\""
    else:
        data["publishedMessage"] = notification.message
        summary = f"Successfully executed action {notification.target}"
    return HistoryItem(alarm_name=notification.alarm_name, alarm_type=notification.alarm_type,
                       timestamp=notification.state_updated, history_item_type="Action", history_summary=summary,
                       history_data=json.dumps(data, separators=(",", ":")))
