"""Reading metrics: one metric's statistic per period, and a list of MetricDataQueries (metric
stats and math expressions) evaluated together, for GetMetricData and metric-math alarms.

GetMetricData's periods are aligned to multiples of the period since the epoch, so a point's
period does not depend on the range asked for.
"""

from __future__ import annotations

import re
from typing import Any

from hoarfrost.services.cloudwatch import metric_math, statistics
from hoarfrost.services.cloudwatch.errors import validation
from hoarfrost.services.cloudwatch.state import CloudWatchBackend

_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
HIGH_RESOLUTION_PERIODS = (1, 5, 10, 20, 30)


def dimensions_of(items: list[dict[str, str]] | None) -> dict[str, str]:
    return {item["Name"]: item["Value"] for item in items or ()}


def valid_period(period: int) -> bool:
    return period in HIGH_RESOLUTION_PERIODS or (period >= 60 and period % 60 == 0)


def metric_series(backend: CloudWatchBackend, metric: dict[str, Any], period: int, stat: str, unit: str | None,
                  start: float, end: float, now: float) -> tuple[metric_math.Series, dict[float, float]]:
    """``stat`` of the metric per period (periods starting at multiples of ``period``) for the
    points in [start, end), and the sample count of each period."""
    found = backend.metric(metric.get("Namespace", ""), metric.get("MetricName", ""),
                           dimensions_of(metric.get("Dimensions")))
    if found is None:
        return {}, {}
    found.compact(now)
    grouped = statistics.buckets(found.between(start, end), 0.0, period, unit)
    series: metric_math.Series = {}
    counts: dict[float, float] = {}
    for (begins, _), bucket in sorted(grouped.items()):
        value = bucket.statistic(stat)
        if value is not None:
            series[begins] = value
            counts[begins] = bucket.sample_count
    return series, counts


def check_queries(queries: list[dict[str, Any]], prefix: str = "MetricDataQueries") -> None:
    """The checks GetMetricData and PutMetricAlarm's Metrics share (ids, one of MetricStat or
    Expression each, statistics, periods, references to ids that exist, no cycles)."""
    ids: dict[str, dict[str, Any]] = {}
    for index, query in enumerate(queries, 1):
        query_id = query.get("Id", "")
        if not _ID.match(query_id):
            raise validation(f"The value {query_id} for parameter {prefix}.member.{index}.Id is invalid.")
        if query_id in ids:
            raise validation(f"The value {query_id} for parameter {prefix}.member.{index}.Id is duplicated.")
        ids[query_id] = query
        stat, expression = query.get("MetricStat"), query.get("Expression")
        if (stat is None) == (expression is None):
            raise validation(f"Exactly one element of {prefix}.member.{index}: MetricStat or Expression "
                             f"must be specified.")
        if stat is not None:
            if not statistics.valid_statistic(stat["Stat"]):
                raise validation(f"The value {stat['Stat']} for parameter {prefix}.member.{index}.MetricStat.Stat "
                                 f"is invalid.")
            if not valid_period(stat["Period"]):
                raise validation(f"The value {stat['Period']} for parameter {prefix}.member.{index}.MetricStat."
                                 f"Period is invalid. Period must be 1, 5, 10, 20, 30 or a multiple of 60.")
    for query_id, query in ids.items():
        expression = query.get("Expression")
        if expression is None:
            continue
        for name in metric_math.references(expression):
            if name not in ids:
                raise validation(f"Error in expression {query_id}: Unknown metric or expression: {name}")
    _check_cycles(ids)


def _check_cycles(ids: dict[str, dict[str, Any]]) -> None:
    state: dict[str, int] = {}

    def visit(query_id: str) -> None:
        state[query_id] = 1
        expression = ids[query_id].get("Expression")
        for name in metric_math.references(expression) if expression else ():
            if state.get(name) == 1:
                raise validation(f"Error in expression {query_id}: Circular dependency on {name}")
            if name not in state and name in ids:
                visit(name)
        state[query_id] = 2

    for query_id in ids:
        if query_id not in state:
            visit(query_id)


def query_period(queries: list[dict[str, Any]]) -> int:
    """The period an expression's results are on: the smallest MetricStat period (or an
    expression's own Period), 60 s when there is none."""
    periods = [query["MetricStat"]["Period"] for query in queries if "MetricStat" in query]
    periods += [query["Period"] for query in queries if "Expression" in query and query.get("Period")]
    return min(periods) if periods else 60


def run(backend: CloudWatchBackend, queries: list[dict[str, Any]], start: float, end: float,
        now: float) -> dict[str, metric_math.Value]:
    """Every query's value (MetricStat: a series; Expression: whatever it evaluates to), in
    request order; raises the service's ValidationError for an expression that fails."""
    by_id = {query["Id"]: query for query in queries}
    period = query_period(queries)
    first = (start // period) * period
    timestamps = [float(stamp) for stamp in range(int(first), int(end), period) if stamp >= start or stamp == first]
    results: dict[str, metric_math.Value] = {}
    pending: set[str] = set()

    def resolve(query_id: str) -> metric_math.Value | None:
        if query_id in results:
            return results[query_id]
        query = by_id.get(query_id)
        if query is None or query_id in pending:
            return None
        pending.add(query_id)
        try:
            stat = query.get("MetricStat")
            if stat is not None:
                value: metric_math.Value = metric_series(backend, stat["Metric"], stat["Period"], stat["Stat"],
                                                         stat.get("Unit"), start, end, now)[0]
            else:
                context = metric_math.Context(resolve, metric_ids, timestamps, query.get("Period") or period)
                try:
                    value = metric_math.evaluate(query["Expression"], context)
                except metric_math.MathError as exc:
                    raise validation(f"Error in expression {query_id}: {exc.message}") from None
        finally:
            pending.discard(query_id)
        results[query_id] = value
        return value

    metric_ids = [query["Id"] for query in queries if "MetricStat" in query]
    for query in queries:
        resolve(query["Id"])
    return {query["Id"]: results[query["Id"]] for query in queries}


def as_series(value: metric_math.Value, timestamps: list[float]) -> list[metric_math.Series]:
    """A query's value as the series GetMetricData returns: a scalar is the same value at every
    period of the range; an array gives one series per member."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, float):
        return [dict.fromkeys(timestamps, value)]
    if isinstance(value, list):
        return value
    raise validation("A string is not a time series")
