"""Metrics: PutMetricData, ListMetrics, GetMetricStatistics and GetMetricData."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from hoarfrost.core.kit.paging import key_token, paginate, token_key
from hoarfrost.services.cloudwatch import queries, statistics
from hoarfrost.services.cloudwatch.errors import bad_token, errors, exclusive, invalid_value, missing
from hoarfrost.services.cloudwatch.handlers import ops
from hoarfrost.services.cloudwatch.handlers.common import CwContext, epoch
from hoarfrost.services.cloudwatch.state import Metric, Point, metric_key

MAX_PAST = 14 * 86400  # PutMetricData accepts points up to two weeks old
MAX_FUTURE = 2 * 3600  # and up to two hours ahead
RECENTLY_ACTIVE = 3 * 3600
LISTED_FOR = 14 * 86400  # ListMetrics leaves out metrics without new data for two weeks
LIST_PAGE = 500
MAX_DATAPOINTS = 1440
DEFAULT_MAX_DATAPOINTS = 100_800
VALUE_LIMIT = 2.0 ** 360  # CloudWatch rejects values beyond +-2^360


# -- PutMetricData ---------------------------------------------------------------------------
def _check_number(parameter: str, value: float) -> None:
    if math.isnan(value) or math.isinf(value) or abs(value) > VALUE_LIMIT or 0 < abs(value) < 2.0 ** -260:
        raise invalid_value(parameter, value)


def _point(datum: dict[str, Any], at: str, now: float) -> Point:
    """One MetricDatum checked as AWS checks it, as a point."""
    value, values, stats = datum.get("Value"), datum.get("Values"), datum.get("StatisticValues")
    if value is not None and stats is not None:
        raise exclusive(f"{at}.Value", f"{at}.StatisticValues")
    if value is not None and values:
        raise exclusive(f"{at}.Value", f"{at}.Values")
    if values and stats is not None:
        raise exclusive(f"{at}.Values", f"{at}.StatisticValues")
    resolution = datum.get("StorageResolution", 60)
    if resolution not in (1, 60):
        raise invalid_value(f"{at}.StorageResolution", resolution)
    stamp = epoch(datum.get("Timestamp"))
    if stamp is None:
        stamp = now
    elif stamp < now - MAX_PAST:
        raise invalid_value(f"{at}.Timestamp", datum["Timestamp"].isoformat())
    elif stamp > now + MAX_FUTURE:
        raise invalid_value(f"{at}.Timestamp", datum["Timestamp"].isoformat())
    stamp = float(int(stamp))  # CloudWatch keeps whole seconds
    unit = datum.get("Unit") or "None"
    if value is not None:
        _check_number(f"{at}.Value", value)
        return Point(stamp, 1.0, value, value, value, unit, [value], [1.0], resolution)
    if values:
        counts = datum.get("Counts")
        if counts is not None and len(counts) != len(values):
            raise errors.InvalidParameterValueException(
                f"The parameters {at}.Values and {at}.Counts must be of the same size.")
        counts = counts if counts is not None else [1.0] * len(values)
        for index, (item, count) in enumerate(zip(values, counts, strict=True), 1):
            _check_number(f"{at}.Values.member.{index}", item)
            if count < 0 or math.isnan(count) or math.isinf(count):
                raise invalid_value(f"{at}.Counts.member.{index}", count)
        weighted = [(item, count) for item, count in zip(values, counts, strict=True) if count > 0]
        if not weighted:
            raise invalid_value(f"{at}.Counts", counts)
        total = sum(count for _, count in weighted)
        return Point(stamp, total, sum(item * count for item, count in weighted),
                     min(item for item, _ in weighted), max(item for item, _ in weighted), unit,
                     [item for item, _ in weighted], [count for _, count in weighted], resolution)
    if stats is not None:
        for member in ("SampleCount", "Sum", "Minimum", "Maximum"):
            _check_number(f"{at}.StatisticValues.{member}", stats[member])
        if stats["SampleCount"] <= 0:
            raise invalid_value(f"{at}.StatisticValues.SampleCount", stats["SampleCount"])
        if stats["Minimum"] > stats["Maximum"]:
            raise errors.InvalidParameterValueException(
                f"The parameter {at}.StatisticValues.Maximum must be greater than "
                f"{at}.StatisticValues.Minimum.")
        return Point(stamp, stats["SampleCount"], stats["Sum"], stats["Minimum"], stats["Maximum"], unit,
                     [], [], resolution)
    raise errors.InvalidParameterCombinationException(
        f"At least one of the parameters {at}.Value, {at}.StatisticValues or {at}.Values must be specified.")


def _dimensions(datum: dict[str, Any], at: str) -> dict[str, str]:
    dimensions: dict[str, str] = {}
    for index, dimension in enumerate(datum.get("Dimensions") or (), 1):
        name, value = dimension.get("Name", ""), dimension.get("Value", "")
        if not name or not value:
            raise invalid_value(f"{at}.Dimensions.member.{index}.{'Name' if not name else 'Value'}", "")
        if name in dimensions:
            raise errors.InvalidParameterValueException(
                f"No metric may have duplicate dimension names: {at}.Dimensions has {name} more than once.")
        dimensions[name] = value
    return dimensions


@ops.operation
def put_metric_data(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    namespace = request["Namespace"]
    if namespace.startswith("AWS/"):
        raise invalid_value("Namespace", namespace)
    data: list[tuple[dict[str, Any], str]] = [
        (datum, f"MetricData.member.{index}") for index, datum in enumerate(request.get("MetricData") or (), 1)]
    for entity_index, entry in enumerate(request.get("EntityMetricData") or (), 1):
        data += [(datum, f"EntityMetricData.member.{entity_index}.MetricData.member.{index}")
                 for index, datum in enumerate(entry.get("MetricData") or (), 1)]
    if not data:
        raise missing("MetricData")
    now = ctx.clock.time()
    checked = [(metric_key(namespace, datum["MetricName"], dims), datum["MetricName"], dims, _point(datum, at, now))
               for datum, at in data for dims in (_dimensions(datum, at),)]
    metrics = ctx.state.metrics
    for key, name, dims, point in checked:  # all were valid: nothing is stored from a refused request
        metric = metrics.get(key)
        if metric is None:
            metric = metrics[key] = Metric(namespace, name, dims)
        metric.compact(now)
        metric.add(point, now)
        metric.last_put = now
    return {}


# -- ListMetrics -----------------------------------------------------------------------------
def _listing_key(metric: Metric) -> str:
    return json.dumps(metric.key)


@ops.operation
def list_metrics(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    namespace, name = request.get("Namespace"), request.get("MetricName")
    filters = [(item["Name"], item.get("Value")) for item in request.get("Dimensions") or ()]
    now = ctx.clock.time()
    active_since = now - (RECENTLY_ACTIVE if request.get("RecentlyActive") == "PT3H" else LISTED_FOR)
    found = [metric for metric in ctx.state.metrics.values()
             if (namespace is None or metric.namespace == namespace)
             and (name is None or metric.metric_name == name)
             and all(key in metric.dimensions and (value is None or metric.dimensions[key] == value)
                     for key, value in filters)
             and metric.last_put >= active_since]
    found.sort(key=_listing_key)
    page = paginate(found, request.get("NextToken"), LIST_PAGE, kind="cloudwatch:ListMetrics", error=bad_token,
                    key=_listing_key)
    listed = [{"Namespace": metric.namespace, "MetricName": metric.metric_name,
               "Dimensions": [{"Name": key, "Value": value} for key, value in sorted(metric.dimensions.items())]}
              for metric in page.items]
    out: dict[str, Any] = {"Metrics": listed, **page.token_member()}
    if request.get("IncludeLinkedAccounts"):
        out["OwningAccounts"] = [ctx.scope.account] * len(listed)
    return out


# -- GetMetricStatistics ---------------------------------------------------------------------
def _aligned_start(start: float, period: int, now: float) -> float:
    """AWS rounds StartTime down: to the minute (the second for high-resolution periods) within
    fifteen days, to five minutes within 63 days, to the hour beyond."""
    age = now - start
    step = 1 if period < 60 else 60 if age <= 15 * 86400 else 300 if age <= 63 * 86400 else 3600
    return start // step * step


def _check_range(start: float | None, end: float | None) -> tuple[float, float]:
    assert start is not None and end is not None  # required members
    if start >= end:
        raise errors.InvalidParameterValueException("The parameter StartTime must be less than the parameter EndTime.")
    return start, end


@ops.operation
def get_metric_statistics(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    basic, extended = request.get("Statistics") or [], request.get("ExtendedStatistics") or []
    if not basic and not extended:
        raise errors.InvalidParameterCombinationException(
            "At least one of the parameters Statistics and ExtendedStatistics must be specified.")
    for index, name in enumerate(extended, 1):
        if not statistics.valid_extended(name):
            raise invalid_value(f"ExtendedStatistics.member.{index}", name)
    for index, name in enumerate(basic, 1):
        if name not in statistics.BASIC:
            raise invalid_value(f"Statistics.member.{index}", name)
    period = request["Period"]
    if not queries.valid_period(period):
        raise errors.InvalidParameterValueException(
            "The parameter Period must be 1, 5, 10, 20, 30, or any multiple of 60.")
    start, end = _check_range(epoch(request["StartTime"]), epoch(request["EndTime"]))
    now = ctx.clock.time()
    start = _aligned_start(start, period, now)
    wanted = math.ceil((end - start) / period)
    if wanted > MAX_DATAPOINTS:
        raise errors.InvalidParameterCombinationException(
            f"You have requested up to {wanted:,} datapoints, which exceeds the limit of {MAX_DATAPOINTS:,}. "
            "You may reduce the datapoints requested by increasing Period, or decreasing the time range.")
    metric = ctx.state.metric(request["Namespace"], request["MetricName"],
                              queries.dimensions_of(request.get("Dimensions")))
    datapoints: list[dict[str, Any]] = []
    if metric is not None:
        metric.compact(now)
        unit = request.get("Unit")
        grouped = statistics.buckets(metric.between(start, end), start, period, unit, by_unit=unit is None)
        for (begins, _), bucket in sorted(grouped.items()):
            datapoint: dict[str, Any] = {"Timestamp": begins, "Unit": bucket.unit}
            for name in basic:
                datapoint[name] = bucket.basic(name)
            if extended:
                values = {name: bucket.statistic(name) for name in extended}
                datapoint["ExtendedStatistics"] = {name: value for name, value in values.items() if value is not None}
            datapoints.append(datapoint)
    return {"Label": request["MetricName"], "Datapoints": datapoints}


# -- GetMetricData ---------------------------------------------------------------------------
_TIMEZONE = re.compile(r"^[+-](?:[01]\d|2[0-3])[0-5]\d$")
_DYNAMIC = re.compile(r"\$\{(LABEL|AVG|MIN|MAX|SUM|FIRST|LAST|PROP\('([^']*)'\))\}")


def _label(query: dict[str, Any], series: dict[float, float], default: str) -> str:
    """The query's Label with its dynamic parts (``${PROP('Dim.x')}``, ``${MAX}``...) filled."""
    label = query.get("Label")
    if not label:
        return default
    stat = query.get("MetricStat") or {}
    metric = stat.get("Metric") or {}
    values = [series[stamp] for stamp in sorted(series)]

    def fill(found: re.Match[str]) -> str:
        kind, prop = found.group(1), found.group(2)
        if kind == "LABEL":
            return default
        if prop is not None:
            if prop.startswith("Dim."):
                return str(queries.dimensions_of(metric.get("Dimensions")).get(prop[4:], ""))
            return str({"MetricName": metric.get("MetricName"), "Namespace": metric.get("Namespace"),
                        "Period": stat.get("Period") or query.get("Period"), "Stat": stat.get("Stat"),
                        "AccountId": query.get("AccountId")}.get(prop) or "")
        if not values:
            return ""
        number = {"AVG": sum(values) / len(values), "MIN": min(values), "MAX": max(values), "SUM": sum(values),
                  "FIRST": values[0], "LAST": values[-1]}[kind]
        return f"{number:g}"

    return _DYNAMIC.sub(fill, label)


@ops.operation
def get_metric_data(ctx: CwContext, request: dict[str, Any]) -> dict[str, Any]:
    metric_queries = request["MetricDataQueries"]
    if len(metric_queries) > 500:
        raise invalid_value("MetricDataQueries", f"{len(metric_queries)} queries (the limit is 500)")
    queries.check_queries(metric_queries)
    timezone = (request.get("LabelOptions") or {}).get("Timezone")
    if timezone is not None and not _TIMEZONE.match(timezone):
        raise invalid_value("LabelOptions.Timezone", timezone)
    start, end = _check_range(epoch(request["StartTime"]), epoch(request["EndTime"]))
    limit = request.get("MaxDatapoints") or DEFAULT_MAX_DATAPOINTS
    if limit < 1:
        raise invalid_value("MaxDatapoints", limit)
    descending = request.get("ScanBy", "TimestampDescending") == "TimestampDescending"
    now = ctx.clock.time()
    values = queries.run(ctx.state, metric_queries, start, end, now)
    period = queries.query_period(metric_queries)
    timestamps = [float(stamp) for stamp in range(int(start // period * period), int(end), period)]
    results: list[dict[str, Any]] = []
    for query in metric_queries:
        if query.get("ReturnData") is False:
            continue
        default = query["MetricStat"]["Metric"].get("MetricName", query["Id"]) if "MetricStat" in query else query["Id"]
        for series in queries.as_series(values[query["Id"]], timestamps):
            stamps = sorted(series, reverse=descending)
            results.append({"Id": query["Id"], "Label": _label(query, series, default),
                            "Timestamps": stamps, "Values": [series[stamp] for stamp in stamps],
                            "StatusCode": "Complete", "Messages": []})
    kind = "cloudwatch:GetMetricData"
    skip = 0
    if request.get("NextToken"):
        position = token_key(kind, request["NextToken"], bad_token)
        if not isinstance(position, int) or isinstance(position, bool) or position < 0:
            raise bad_token()
        skip = position
    # Pages cut the results' points in order: a result the page ends in is PartialData.
    budget, offset, more = limit, skip, False
    for result in results:
        count = len(result["Timestamps"])
        take_from = min(offset, count)
        offset -= take_from
        taking = min(count - take_from, budget)
        budget -= taking
        result["Timestamps"] = result["Timestamps"][take_from:take_from + taking]
        result["Values"] = result["Values"][take_from:take_from + taking]
        if take_from + taking < count:
            result["StatusCode"] = "PartialData"
            more = True
    out: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
    if more:
        out["NextToken"] = key_token(kind, skip + limit)
    return out
