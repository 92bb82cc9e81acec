"""CloudWatch's internal state for one account/region: metric series with their data points,
metric and composite alarms with their history, and dashboards.

A metric is identified by (namespace, name, dimensions as a set); each keeps its points sorted
by time in two parallel lists (timestamps and points), so a query bisects to the range it
reads instead of scanning everything. Retention (finer points rolled up as they age, every
point dropped after fifteen months) is applied to a series
when it is written or read, as far as the emulator clock has moved since.

Plain dataclasses shaped for the handlers, and the declaration of the state view
(``views.py`` derives each resource's view from its record, ``core.kit.records``).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.kit.records import EPOCH, OPTIONAL_EPOCH, VIEW_EXCLUDE, view_as
from hoarfrost.core.kit.shape_views import document_converter, shape_view

# Retention, in seconds of the emulator clock, as AWS keeps data: (age, resolution) pairs say that
# points older than the age are kept at that resolution (1-second points become minutes after
# three hours, minutes five minutes after fifteen days, those hours after 63 days)...
ROLLUPS = ((3 * 3600, 60), (15 * 86400, 300), (63 * 86400, 3600))
RESOLUTIONS = (1, 60, 300, 3600)
# ... and every point is gone after fifteen months.
RETENTION = 455 * 86400
# History items kept per scope; AWS keeps two weeks of history, the oldest go first beyond this.
MAX_HISTORY = 10_000
HISTORY_RETENTION = 14 * 86400

MetricKey = tuple[str, str, tuple[tuple[str, str], ...]]


def metric_key(namespace: str, name: str, dimensions: dict[str, str]) -> MetricKey:
    """Dimensions are a set: the same names and values in any order name one metric."""
    return namespace, name, tuple(sorted(dimensions.items()))


@dataclass
class Point:
    """One PutMetricData datum (or a minute of rolled-up high-resolution data): its
    aggregate, and the raw values with their counts (percentiles need them; a statistic set
    carries none)."""

    timestamp: float = field(metadata=view_as(EPOCH))
    sample_count: float
    sum: float
    minimum: float
    maximum: float
    unit: str = "None"
    values: list[float] = field(default_factory=list)
    counts: list[float] = field(default_factory=list)
    storage_resolution: int = 60


@dataclass
class Metric:
    namespace: str
    metric_name: str
    dimensions: dict[str, str] = field(default_factory=dict)
    points: list[Point] = field(default_factory=list)
    # When data was last put (ListMetrics' RecentlyActive), on the emulator clock.
    last_put: float = field(default=0.0, metadata=view_as(EPOCH))
    # Sorted timestamps, parallel to ``points`` (an index, rebuilt from them).
    times: list[float] = field(default_factory=list, repr=False, metadata=VIEW_EXCLUDE)
    # When retention was last applied (points that crossed a limit since then are the next work).
    compacted_at: float = field(default=0.0, repr=False, metadata=VIEW_EXCLUDE)

    @property
    def key(self) -> MetricKey:
        return metric_key(self.namespace, self.metric_name, self.dimensions)

    def index(self) -> None:
        self.points.sort(key=lambda point: point.timestamp)
        self.times = [point.timestamp for point in self.points]

    def add(self, point: Point, now: float | None = None) -> None:
        """Insert ``point`` in time order; given ``now``, a point already older than a roll-up
        age (a late high-resolution point) is rolled into its bucket at once."""
        if not self.times or point.timestamp >= self.times[-1]:
            self.times.append(point.timestamp)
            self.points.append(point)
        else:
            at = bisect.bisect_right(self.times, point.timestamp)
            self.times.insert(at, point.timestamp)
            self.points.insert(at, point)
        if now is None:
            return
        step = 0
        for age, resolution in ROLLUPS:
            if point.storage_resolution < resolution and point.timestamp < (now - age) // resolution * resolution:
                step = resolution
        if step:
            bucket = point.timestamp // step * step
            self._roll(bisect.bisect_left(self.times, bucket), bisect.bisect_left(self.times, bucket + step), step)

    def between(self, start: float, end: float) -> list[Point]:
        """The points with start <= timestamp < end: two bisections and a slice."""
        return self.points[bisect.bisect_left(self.times, start):bisect.bisect_left(self.times, end)]

    def compact(self, now: float) -> None:
        """Apply retention up to ``now``: drop points older than fifteen months and roll finer
        points up as they age (``ROLLUPS``). Costs what it touches: only the points that crossed
        a limit since the last call."""
        if now - self.compacted_at < 1:
            return
        expire_before = now - RETENTION
        if self.times and self.times[0] < expire_before:
            cut = bisect.bisect_left(self.times, expire_before)
            del self.points[:cut]
            del self.times[:cut]
        for age, step in ROLLUPS:
            before = (now - age) // step * step
            since = (self.compacted_at - age) // step * step - step
            low, high = bisect.bisect_left(self.times, since), bisect.bisect_left(self.times, before)
            if any(point.storage_resolution < step for point in self.points[low:high]):
                self._roll(low, high, step)
        self.compacted_at = now

    def _roll(self, low: int, high: int, step: int) -> None:
        """Merge the points in [low, high) finer than ``step`` into one point per ``step``-second
        bucket and unit (``low`` starts a bucket, so the order outside the slice holds)."""
        merged: list[Point] = []
        rolled: dict[tuple[float, str], Point] = {}
        for point in self.points[low:high]:
            if point.storage_resolution >= step:
                merged.append(point)
                continue
            bucket = point.timestamp // step * step
            target = rolled.get((bucket, point.unit))
            if target is None:
                target = rolled[bucket, point.unit] = Point(
                    bucket, point.sample_count, point.sum, point.minimum, point.maximum, point.unit,
                    list(point.values), list(point.counts), step)
                merged.append(target)
            else:
                _absorb(target, point)
        merged.sort(key=lambda point: point.timestamp)
        self.points[low:high] = merged
        self.times[low:high] = [point.timestamp for point in merged]


def add_value(point: Point, value: float) -> None:
    """One more sample in ``point`` (a value seen before only raises its count)."""
    point.sample_count += 1
    point.sum += value
    point.minimum = min(point.minimum, value)
    point.maximum = max(point.maximum, value)
    if point.values and point.values[-1] == value:
        point.counts[-1] += 1
    elif value in point.values:
        point.counts[point.values.index(value)] += 1
    else:
        point.values.append(value)
        point.counts.append(1.0)


def _absorb(target: Point, point: Point) -> None:
    target.sample_count += point.sample_count
    target.sum += point.sum
    target.minimum = min(target.minimum, point.minimum)
    target.maximum = max(target.maximum, point.maximum)
    target.values.extend(point.values)
    target.counts.extend(point.counts)


# The alarm's configuration as PutMetricAlarm received it (AWS's member names, Tags left out).
_METRIC_ALARM_CONFIG = view_as(document_converter(shape_view("cloudwatch", "PutMetricAlarmInput")))
_COMPOSITE_ALARM_CONFIG = view_as(document_converter(shape_view("cloudwatch", "PutCompositeAlarmInput")))


@dataclass(kw_only=True)
class AlarmState:
    """What every alarm carries besides its configuration."""

    state_value: str = "INSUFFICIENT_DATA"
    state_reason: str = "Unchecked: Initial alarm creation"
    state_reason_data: str | None = None
    state_updated: float = field(default=0.0, metadata=view_as(EPOCH))
    state_transitioned: float = field(default=0.0, metadata=view_as(EPOCH))
    configuration_updated: float = field(default=0.0, metadata=view_as(EPOCH))
    tags: dict[str, str] = field(default_factory=dict)
    # The last moment an evaluation looked at (so a clock jump evaluates once, not per tick).
    evaluated_at: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH))


@dataclass(kw_only=True)
class MetricAlarm(AlarmState):
    name: str
    config: dict[str, Any] = field(default_factory=dict, metadata=_METRIC_ALARM_CONFIG)

    kind = "MetricAlarm"


@dataclass(kw_only=True)
class CompositeAlarm(AlarmState):
    name: str
    config: dict[str, Any] = field(default_factory=dict, metadata=_COMPOSITE_ALARM_CONFIG)

    kind = "CompositeAlarm"


Alarm = MetricAlarm | CompositeAlarm


@dataclass(kw_only=True)
class HistoryItem:
    alarm_name: str
    alarm_type: str
    timestamp: float = field(metadata=view_as(EPOCH))
    history_item_type: str
    history_summary: str
    history_data: str

    def to_wire(self) -> dict[str, Any]:
        return {"AlarmName": self.alarm_name, "AlarmType": self.alarm_type, "Timestamp": self.timestamp,
                "HistoryItemType": self.history_item_type, "HistorySummary": self.history_summary,
                "HistoryData": self.history_data}


@dataclass(kw_only=True)
class Dashboard:
    name: str
    body: str
    last_modified: float = field(metadata=view_as(EPOCH))
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class CloudWatchBackend:
    account: str
    region: str
    metrics: dict[MetricKey, Metric] = field(default_factory=dict)
    metric_alarms: dict[str, MetricAlarm] = field(default_factory=dict)
    composite_alarms: dict[str, CompositeAlarm] = field(default_factory=dict)
    history: list[HistoryItem] = field(default_factory=list)
    dashboards: dict[str, Dashboard] = field(default_factory=dict)

    def alarm_arn(self, name: str) -> str:
        return build_arn("cloudwatch", self.region, self.account, f"alarm:{name}")

    def dashboard_arn(self, name: str) -> str:
        return build_arn("cloudwatch", "", self.account, f"dashboard/{name}")

    def alarm(self, name: str) -> Alarm | None:
        return self.metric_alarms.get(name) or self.composite_alarms.get(name)

    def metric(self, namespace: str, name: str, dimensions: dict[str, str]) -> Metric | None:
        return self.metrics.get(metric_key(namespace, name, dimensions))

    def record(self, item: HistoryItem) -> None:
        self.history.append(item)
        if len(self.history) > MAX_HISTORY or self.history[0].timestamp < item.timestamp - HISTORY_RETENTION:
            cutoff = item.timestamp - HISTORY_RETENTION
            self.history = [kept for kept in self.history[-MAX_HISTORY:] if kept.timestamp >= cutoff]
