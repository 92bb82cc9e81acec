"""Metric filters and subscription filters: stored with their patterns checked, tested
(TestMetricFilter), and subscription filters delivering matching events (see ``delivery``)."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit.paging import paginate
from hoarfrost.services.logs.errors import errors, invalid
from hoarfrost.services.logs.filter_pattern import FilterPatternError, Predicate, compile_pattern
from hoarfrost.services.logs.handlers import ops
from hoarfrost.services.logs.handlers.common import Ctx, group
from hoarfrost.services.logs.state import MetricFilter, MetricTransformation, SubscriptionFilter

MAX_SUBSCRIPTION_FILTERS = 2
MAX_METRIC_FILTERS = 100


def _compiled(pattern: str) -> Predicate:
    try:
        return compile_pattern(pattern)
    except FilterPatternError as exc:
        raise invalid(f"Invalid filter pattern: {exc}") from None


def _transformation(item: dict[str, Any]) -> MetricTransformation:
    return MetricTransformation(
        metric_name=item["metricName"], metric_namespace=item["metricNamespace"],
        metric_value=item["metricValue"], default_value=item.get("defaultValue"),
        dimensions=dict(item.get("dimensions") or {}), unit=item.get("unit"),
    )


def _transformation_output(t: MetricTransformation) -> dict[str, Any]:
    out: dict[str, Any] = {"metricName": t.metric_name, "metricNamespace": t.metric_namespace,
                           "metricValue": t.metric_value}
    if t.default_value is not None:
        out["defaultValue"] = t.default_value
    if t.dimensions:
        out["dimensions"] = dict(t.dimensions)
    if t.unit is not None:
        out["unit"] = t.unit
    return out


@ops.operation
def put_metric_filter(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    found = group(ctx, request)
    _compiled(request["filterPattern"])
    name = request["filterName"]
    if name not in found.metric_filters and len(found.metric_filters) >= MAX_METRIC_FILTERS:
        raise errors.LimitExceededException("Resource limit exceeded.")
    found.metric_filters[name] = MetricFilter(
        name=name, pattern=request["filterPattern"],
        transformations=[_transformation(item) for item in request["metricTransformations"]],
        creation_time=ctx.clock.millis(),
        apply_on_transformed_logs=bool(request.get("applyOnTransformedLogs", False)),
    )
    return {}


@ops.operation
def delete_metric_filter(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    found = group(ctx, request)
    if found.metric_filters.pop(request["filterName"], None) is None:
        raise errors.ResourceNotFoundException("The specified metric filter does not exist.")
    return {}


@ops.operation
def describe_metric_filters(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    """By group (with an optional name prefix), or across groups by metric name and namespace."""
    metric_name, namespace = request.get("metricName"), request.get("metricNamespace")
    if (metric_name is None) != (namespace is None):
        raise invalid("metricName and metricNamespace must be specified together.")
    prefix = request.get("filterNamePrefix")
    if request.get("logGroupName") is not None:
        groups = [group(ctx, request)]
    else:
        if prefix is not None:
            raise invalid("filterNamePrefix requires logGroupName.")
        groups = [ctx.state.groups[name] for name in ctx.state.names]
    found = []
    for g in groups:
        for name in sorted(g.metric_filters):
            flt = g.metric_filters[name]
            if prefix is not None and not name.startswith(prefix):
                continue
            if metric_name is not None and not any(
                    t.metric_name == metric_name and t.metric_namespace == namespace for t in flt.transformations):
                continue
            found.append((g.name, flt))
    page = paginate(found, request.get("nextToken"), request.get("limit") or 50, kind="logs:DescribeMetricFilters",
                    error=lambda: invalid("The specified nextToken is invalid."))
    return {
        "metricFilters": [
            {"filterName": flt.name, "filterPattern": flt.pattern, "logGroupName": group_name,
             "creationTime": flt.creation_time, "applyOnTransformedLogs": flt.apply_on_transformed_logs,
             "metricTransformations": [_transformation_output(t) for t in flt.transformations]}
            for group_name, flt in page.items
        ],
        **page.token_member("nextToken"),
    }


@ops.operation
def test_metric_filter(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    matches = _compiled(request["filterPattern"])
    return {"matches": [
        {"eventNumber": number, "eventMessage": message, "extractedValues": {}}
        for number, message in enumerate(request["logEventMessages"], start=1) if matches(message)
    ]}


@ops.operation
def put_subscription_filter(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    found = group(ctx, request)
    _compiled(request["filterPattern"])
    name = request["filterName"]
    if name not in found.subscription_filters and len(found.subscription_filters) >= MAX_SUBSCRIPTION_FILTERS:
        raise errors.LimitExceededException("Resource limit exceeded.")
    destination = request["destinationArn"]
    if not ctx.emulator.accepts(destination):
        raise invalid("Could not deliver test message to specified destination. Check if the destination is valid.")
    found.subscription_filters[name] = SubscriptionFilter(
        name=name, pattern=request["filterPattern"], destination_arn=destination,
        creation_time=ctx.clock.millis(), role_arn=request.get("roleArn"),
        distribution=request.get("distribution") or "ByLogStream",
        apply_on_transformed_logs=bool(request.get("applyOnTransformedLogs", False)),
    )
    return {}


@ops.operation
def delete_subscription_filter(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    found = group(ctx, request)
    if found.subscription_filters.pop(request["filterName"], None) is None:
        raise errors.ResourceNotFoundException("The specified subscription filter does not exist.")
    return {}


@ops.operation
def describe_subscription_filters(ctx: Ctx, request: dict[str, Any]) -> dict[str, Any]:
    found = group(ctx, request)
    prefix = request.get("filterNamePrefix")
    items = [found.subscription_filters[n] for n in sorted(found.subscription_filters)
             if prefix is None or n.startswith(prefix)]
    page = paginate(items, request.get("nextToken"), request.get("limit") or 50,
                    kind="logs:DescribeSubscriptionFilters",
                    error=lambda: invalid("The specified nextToken is invalid."))
    out = []
    for flt in page.items:
        item: dict[str, Any] = {
            "filterName": flt.name, "logGroupName": found.name, "filterPattern": flt.pattern,
            "destinationArn": flt.destination_arn, "distribution": flt.distribution,
            "creationTime": flt.creation_time, "applyOnTransformedLogs": flt.apply_on_transformed_logs,
        }
        if flt.role_arn is not None:
            item["roleArn"] = flt.role_arn
        out.append(item)
    return {"subscriptionFilters": out, **page.token_member("nextToken")}
