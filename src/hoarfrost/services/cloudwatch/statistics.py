"""Statistics over data points: the five basic ones, and the extended ones AWS computes from
raw values (percentiles ``pNN.N``, trimmed means ``tmNN`` / ``tm(a%:b%)``, ``IQM``).

A bucket aggregates the points of one period. Points put as statistic sets carry no raw
values: they count for the basic statistics and are left out of the extended ones, as AWS
only computes percentiles from values it has.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from hoarfrost.services.cloudwatch.state import Point

BASIC = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")

_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d{1,10})?|100(?:\.0{1,10})?)$")
_TRIMMED = re.compile(r"^(tm|wm|tc|ts)(\d{1,2}(?:\.\d{1,10})?|100(?:\.0{1,10})?)$")
_TRIMMED_RANGE = re.compile(r"^(TM|WM|TC|TS|tm|wm|tc|ts)\((\d{1,3}(?:\.\d+)?)?%:(\d{1,3}(?:\.\d+)?)?%\)$")


@dataclass
class Bucket:
    """The points of one period (and one unit), aggregated as they are added."""

    sample_count: float = 0.0
    sum: float = 0.0
    minimum: float = math.inf
    maximum: float = -math.inf
    unit: str = "None"
    values: list[tuple[float, float]] = field(default_factory=list)  # (value, count)

    def add(self, point: Point) -> None:
        self.sample_count += point.sample_count
        self.sum += point.sum
        self.minimum = min(self.minimum, point.minimum)
        self.maximum = max(self.maximum, point.maximum)
        self.unit = point.unit
        self.values.extend(zip(point.values, point.counts, strict=True))

    def basic(self, statistic: str) -> float:
        if statistic == "SampleCount":
            return self.sample_count
        if statistic == "Sum":
            return self.sum
        if statistic == "Minimum":
            return self.minimum
        if statistic == "Maximum":
            return self.maximum
        return self.sum / self.sample_count if self.sample_count else 0.0

    def statistic(self, name: str) -> float | None:
        """A basic or extended statistic (None when the bucket has no value for it)."""
        if name in BASIC:
            return self.basic(name)
        return extended(name, self.values)


def valid_extended(name: str) -> bool:
    if name == "IQM":
        return True
    for pattern in (_PERCENTILE, _TRIMMED):
        if pattern.match(name):
            return True
    found = _TRIMMED_RANGE.match(name)
    if found:
        low, high = float(found.group(2) or 0), float(found.group(3) or 100)
        return 0 <= low < high <= 100
    return False


def valid_statistic(name: str) -> bool:
    """A ``Stat`` of GetMetricData or an alarm: a basic statistic or an extended one."""
    return name in BASIC or valid_extended(name)


def _sorted_values(values: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    return sorted((value, count) for value, count in values if count > 0)


def percentile(values: list[tuple[float, float]], p: float) -> float | None:
    """The nearest-rank percentile of weighted values (``values`` sorted)."""
    total = sum(count for _, count in values)
    if not total:
        return None
    rank = max(p / 100.0 * total, 0.0)
    seen = 0.0
    for value, count in values:
        seen += count
        if seen >= rank:
            return value
    return values[-1][0]


def _trimmed(values: list[tuple[float, float]], kind: str, low: float, high: float) -> float | None:
    """The values between the ``low`` and ``high`` percentiles, reduced as ``kind`` says:
    tm the mean, ts the sum, tc the count, wm the winsorized mean."""
    if not values:
        return None
    bottom, top = percentile(values, low) if low > 0 else values[0][0], percentile(values, high)
    assert bottom is not None and top is not None
    kind = kind.lower()
    if kind == "wm":
        weight = sum(count for _, count in values)
        return sum(min(max(value, bottom), top) * count for value, count in values) / weight
    inside = [(value, count) for value, count in values if (value > bottom or (low == 0 and value >= bottom))
              and value <= top]
    count = sum(c for _, c in inside)
    if kind == "tc":
        return count
    total = sum(value * c for value, c in inside)
    if kind == "ts":
        return total
    return total / count if count else None


def extended(name: str, raw: Iterable[tuple[float, float]]) -> float | None:
    values = _sorted_values(raw)
    if name == "IQM":
        return _trimmed(values, "tm", 25, 75)
    found = _PERCENTILE.match(name)
    if found:
        return percentile(values, float(found.group(1)))
    found = _TRIMMED.match(name)
    if found:
        return _trimmed(values, found.group(1), 0, float(found.group(2)))
    found = _TRIMMED_RANGE.match(name)
    if found:
        return _trimmed(values, found.group(1), float(found.group(2) or 0), float(found.group(3) or 100))
    return None


def buckets(points: Iterable[Point], start: float, period: int, unit: str | None,
            by_unit: bool = False) -> dict[tuple[float, str], Bucket]:
    """The points grouped into periods starting ``start + k * period`` (and by unit when
    ``by_unit``), keeping only those of ``unit`` when given."""
    grouped: dict[tuple[float, str], Bucket] = {}
    for point in points:
        if unit is not None and point.unit != unit:
            continue
        begins = start + (point.timestamp - start) // period * period
        key = (begins, point.unit if by_unit else "")
        bucket = grouped.get(key)
        if bucket is None:
            bucket = grouped[key] = Bucket()
        bucket.add(point)
    return grouped
