"""CloudWatch's typed state view: one account/region's metrics with every retained data point,
metric and composite alarms (configuration, state, tags), the alarm history, and dashboards.

Each resource's view is derived from its record in ``state.py`` (``core.kit.records``); an
alarm's ``config`` is typed by botocore's PutMetricAlarm / PutCompositeAlarm input shapes.

Keys: a metric is (namespace, metric_name, dimensions); alarms and dashboards their name (an
alarm name appears once across both kinds). Merge rule: a metric, alarm or dashboard whose key
exists is replaced by the view's (a metric with all its points); history items are added
(an identical item is kept once); nothing is removed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from pydantic import Field

from hoarfrost.core.kit.records import RecordView, record_view
from hoarfrost.core.views import StateView, StateViewError
from hoarfrost.services.cloudwatch import alarm_rule
from hoarfrost.services.cloudwatch.state import (
    RESOLUTIONS,
    CloudWatchBackend,
    CompositeAlarm,
    Dashboard,
    HistoryItem,
    Metric,
    MetricAlarm,
    Point,
)

STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
HISTORY_TYPES = ("ConfigurationUpdate", "StateUpdate", "Action")


@record_view(Point)
class PointView(RecordView):
    """One stored datum (or a rolled-up minute): its aggregate, and the raw ``values`` with
    their ``counts`` (empty for a statistic set)."""


@record_view(Metric)
class MetricView(RecordView):
    """A metric (namespace, name, dimensions) and its data points in time order; ``last_put``
    is when data last arrived (ListMetrics' RecentlyActive)."""


@record_view(MetricAlarm, key="name")
class MetricAlarmView(RecordView):
    """A metric alarm: ``config`` as PutMetricAlarm received it (Tags apart), its state and
    tags; ``evaluated_at`` is the last evaluation's moment."""


@record_view(CompositeAlarm, key="name")
class CompositeAlarmView(RecordView):
    """A composite alarm: ``config`` as PutCompositeAlarm received it, its state and tags."""


@record_view(HistoryItem)
class HistoryItemView(RecordView):
    """One DescribeAlarmHistory item; ``history_data`` is AWS's JSON text."""


@record_view(Dashboard, key="name")
class DashboardView(RecordView):
    """A dashboard's JSON body, when it last changed, and its tags."""


class CloudWatchStateView(StateView):
    """CloudWatch metrics, alarms and dashboards of one account/region (keys and merge: see
    ``hoarfrost.services.cloudwatch.views``)."""

    metrics: list[MetricView] = Field(default_factory=list)
    metric_alarms: list[MetricAlarmView] = Field(default_factory=list)
    composite_alarms: list[CompositeAlarmView] = Field(default_factory=list)
    alarm_history: list[HistoryItemView] = Field(default_factory=list)
    dashboards: list[DashboardView] = Field(default_factory=list)


# -- backend -> view -------------------------------------------------------------------------
def to_view(backend: CloudWatchBackend, now: float) -> CloudWatchStateView:
    for metric in backend.metrics.values():
        metric.compact(now)  # a snapshot holds what a read at this moment would see
    return CloudWatchStateView(
        metrics=[MetricView.of(metric) for _, metric in sorted(backend.metrics.items())],
        metric_alarms=[MetricAlarmView.of(alarm) for alarm in backend.metric_alarms.values()],
        composite_alarms=[CompositeAlarmView.of(alarm) for alarm in backend.composite_alarms.values()],
        alarm_history=[HistoryItemView.of(item) for item in backend.history],
        dashboards=[DashboardView.of(dashboard) for dashboard in backend.dashboards.values()],
    )


# -- view -> backend -------------------------------------------------------------------------
def _invalid(message: str) -> StateViewError:
    return StateViewError("invalid", f"cloudwatch: {message}")


def _unique(kind: str, keys: Iterable[Any]) -> None:
    seen: set[Any] = set()
    for key in keys:
        if key in seen:
            raise _invalid(f"{kind} {key!r} appears twice")
        seen.add(key)


def _check_point(metric: Metric, point: Point) -> None:
    where = f"metric {metric.namespace}/{metric.metric_name}"
    numbers = (point.timestamp, point.sample_count, point.sum, point.minimum, point.maximum, *point.values,
               *point.counts)
    if not all(math.isfinite(number) for number in numbers):
        raise _invalid(f"{where}: a data point holds a number that is not finite")
    if point.sample_count <= 0 or point.minimum > point.maximum:
        raise _invalid(f"{where}: a data point needs sample_count > 0 and minimum <= maximum")
    if len(point.values) != len(point.counts):
        raise _invalid(f"{where}: a data point's values and counts differ in length")
    if point.storage_resolution not in RESOLUTIONS:
        raise _invalid(f"{where}: storage_resolution must be one of {RESOLUTIONS}")


def _check_metric_alarm(alarm: MetricAlarm) -> None:
    config = alarm.config
    if alarm.state_value not in STATES:
        raise _invalid(f"alarm {alarm.name!r}: state_value {alarm.state_value!r} is not one of {STATES}")
    if config.get("ComparisonOperator") is None or config.get("EvaluationPeriods") is None:
        raise _invalid(f"alarm {alarm.name!r}: config needs ComparisonOperator and EvaluationPeriods")
    if "Metrics" not in config and not all(config.get(member) for member in ("MetricName", "Namespace", "Period")):
        raise _invalid(f"alarm {alarm.name!r}: config needs Metrics, or MetricName, Namespace and Period")


def _check_composite(alarm: CompositeAlarm) -> None:
    if alarm.state_value not in STATES:
        raise _invalid(f"alarm {alarm.name!r}: state_value {alarm.state_value!r} is not one of {STATES}")
    try:
        alarm_rule.parse(str(alarm.config.get("AlarmRule", "")))
    except alarm_rule.RuleError as exc:
        raise _invalid(f"composite alarm {alarm.name!r}: AlarmRule: {exc.message}") from exc


def from_view(view: CloudWatchStateView, account: str, region: str) -> CloudWatchBackend:
    backend = CloudWatchBackend(account=account, region=region)
    for item in view.metrics:
        metric: Metric = item.to_record()
        if metric.key in backend.metrics:
            raise _invalid(f"metric {metric.key!r} appears twice")
        for point in metric.points:
            _check_point(metric, point)
        metric.index()
        if not metric.last_put and metric.points:  # a view that leaves it out: when its newest point is
            metric.last_put = metric.times[-1]
        backend.metrics[metric.key] = metric
    _unique("alarm", [alarm.name for alarm in view.metric_alarms] + [alarm.name for alarm in view.composite_alarms])
    for metric_view in view.metric_alarms:
        alarm: MetricAlarm = metric_view.to_record()
        alarm.config["AlarmName"] = alarm.name
        _check_metric_alarm(alarm)
        backend.metric_alarms[alarm.name] = alarm
    for composite_view in view.composite_alarms:
        composite: CompositeAlarm = composite_view.to_record()
        composite.config["AlarmName"] = composite.name
        _check_composite(composite)
        backend.composite_alarms[composite.name] = composite
    for history_view in view.alarm_history:
        record: HistoryItem = history_view.to_record()
        if record.history_item_type not in HISTORY_TYPES:
            raise _invalid(f"history item type {record.history_item_type!r} is not one of {HISTORY_TYPES}")
        backend.history.append(record)
    backend.history.sort(key=lambda entry: entry.timestamp)
    _unique("dashboard", [dashboard.name for dashboard in view.dashboards])
    for dashboard_view in view.dashboards:
        dashboard: Dashboard = dashboard_view.to_record()
        try:
            json.loads(dashboard.body)
        except ValueError as exc:
            raise _invalid(f"dashboard {dashboard.name!r}: the body is not JSON: {exc}") from exc
        backend.dashboards[dashboard.name] = dashboard
    return backend


def merge(target: CloudWatchBackend, source: CloudWatchBackend) -> None:
    target.metrics.update(source.metrics)
    for name, alarm in source.metric_alarms.items():
        target.composite_alarms.pop(name, None)
        target.metric_alarms[name] = alarm
    for name, composite in source.composite_alarms.items():
        target.metric_alarms.pop(name, None)
        target.composite_alarms[name] = composite
    known = {(item.alarm_name, item.timestamp, item.history_item_type, item.history_data) for item in target.history}
    added = [item for item in source.history
             if (item.alarm_name, item.timestamp, item.history_item_type, item.history_data) not in known]
    if added:
        target.history = sorted(target.history + added, key=lambda entry: entry.timestamp)
    target.dashboards.update(source.dashboards)


