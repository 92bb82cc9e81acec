"""Metrics: PutMetricData's forms and checks, ListMetrics' filters and pages, and the statistics
GetMetricStatistics computes from known data, through boto3 in both harness modes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.cloudwatch.conftest import code, message, minute
from tests.harness import Harness

DIMS = [{"Name": "Service", "Value": "api"}]


def _stats(cw: Any, aws: Harness, **kwargs: Any) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"Namespace": "App", "MetricName": "Latency", "Dimensions": DIMS,
                              "StartTime": minute(aws, 30), "EndTime": minute(aws, -1), "Period": 3600}
    params.update(kwargs)
    return sorted(cw.get_metric_statistics(**params)["Datapoints"], key=lambda point: point["Timestamp"])


def test_statistics_and_percentiles_from_known_values(cw: Any, aws: Harness) -> None:
    at = minute(aws, 10)
    cw.put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "Latency", "Dimensions": DIMS, "Value": float(value), "Unit": "Milliseconds", "Timestamp": at}
        for value in range(1, 101)])
    points = _stats(cw, aws, Period=60, Statistics=["SampleCount", "Average", "Sum", "Minimum", "Maximum"],
                    ExtendedStatistics=["p90", "p50", "p99.9", "tm90", "IQM"])
    assert len(points) == 1
    point = points[0]
    assert point["Timestamp"] == at
    assert (point["SampleCount"], point["Average"], point["Sum"], point["Minimum"], point["Maximum"]) == \
        (100.0, 50.5, 5050.0, 1.0, 100.0)
    assert point["Unit"] == "Milliseconds"
    assert point["ExtendedStatistics"]["p90"] == 90.0
    assert point["ExtendedStatistics"]["p50"] == 50.0
    assert point["ExtendedStatistics"]["p99.9"] == 100.0
    assert point["ExtendedStatistics"]["tm90"] == pytest.approx(45.5)
    assert point["ExtendedStatistics"]["IQM"] == pytest.approx(50.5)


def test_values_with_counts_and_statistic_sets(cw: Any, aws: Harness) -> None:
    at = minute(aws, 5)
    cw.put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "Latency", "Dimensions": DIMS, "Values": [1.0, 2.0, 3.0], "Counts": [1.0, 1.0, 2.0],
         "Timestamp": at},
        {"MetricName": "Latency", "Dimensions": DIMS, "Timestamp": at,
         "StatisticValues": {"SampleCount": 4.0, "Sum": 40.0, "Minimum": 5.0, "Maximum": 20.0}},
    ])
    [point] = _stats(cw, aws, Period=60, Statistics=["SampleCount", "Sum", "Minimum", "Maximum", "Average"],
                     ExtendedStatistics=["p100", "p50"])
    assert (point["SampleCount"], point["Sum"], point["Minimum"], point["Maximum"]) == (8.0, 49.0, 1.0, 20.0)
    assert point["Average"] == pytest.approx(49.0 / 8)
    # Percentiles come from raw values only: the statistic set has none.
    assert point["ExtendedStatistics"] == {"p100": 3.0, "p50": 2.0}


def test_periods_align_and_units_filter(cw: Any, aws: Harness) -> None:
    first, second = minute(aws, 10), minute(aws, 9)
    cw.put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "Latency", "Dimensions": DIMS, "Value": 1.0, "Unit": "Count",
         "Timestamp": first + dt.timedelta(seconds=5)},
        {"MetricName": "Latency", "Dimensions": DIMS, "Value": 3.0, "Unit": "Count",
         "Timestamp": second + dt.timedelta(seconds=50)},
        {"MetricName": "Latency", "Dimensions": DIMS, "Value": 7.0, "Unit": "Seconds", "Timestamp": second},
    ])
    # StartTime 30 s into the first minute is rounded down to the minute.
    points = _stats(cw, aws, StartTime=first + dt.timedelta(seconds=30), EndTime=minute(aws, 8), Period=60,
                    Statistics=["Sum"], Unit="Count")
    assert [(point["Timestamp"], point["Sum"], point["Unit"]) for point in points] == \
        [(first, 1.0, "Count"), (second, 3.0, "Count")]
    every_unit = _stats(cw, aws, StartTime=second, EndTime=minute(aws, 8), Period=60, Statistics=["Sum"])
    assert sorted((point["Unit"], point["Sum"]) for point in every_unit) == [("Count", 3.0), ("Seconds", 7.0)]
    assert _stats(cw, aws, Period=60, Statistics=["Sum"], Unit="Bytes") == []


def test_get_metric_statistics_errors(cw: Any, aws: Harness) -> None:
    with pytest.raises(ClientError) as too_many:
        _stats(cw, aws, StartTime=minute(aws, 2 * 1440), EndTime=minute(aws), Period=60, Statistics=["Sum"])
    assert code(too_many) == "InvalidParameterCombination"
    assert "exceeds the limit of 1,440" in message(too_many)
    with pytest.raises(ClientError) as neither:
        _stats(cw, aws)
    assert code(neither) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as bad_period:
        _stats(cw, aws, Period=45, Statistics=["Sum"])
    assert code(bad_period) == "InvalidParameterValue"
    with pytest.raises(ClientError) as bad_percentile:
        _stats(cw, aws, ExtendedStatistics=["p101"])
    assert code(bad_percentile) == "InvalidParameterValue"
    with pytest.raises(ClientError) as backwards:
        _stats(cw, aws, StartTime=minute(aws), EndTime=minute(aws, 5), Statistics=["Sum"])
    assert code(backwards) == "InvalidParameterValue"


@pytest.mark.parametrize(("datum", "expected_code", "fragment"), [
    ({"Value": 1.0, "StatisticValues": {"SampleCount": 1.0, "Sum": 1.0, "Minimum": 1.0, "Maximum": 1.0}},
     "InvalidParameterCombination", "MetricData.member.1.Value and MetricData.member.1.StatisticValues"),
    ({"Value": 1.0, "Values": [1.0]}, "InvalidParameterCombination", "mutually exclusive"),
    ({"Values": [1.0, 2.0], "Counts": [1.0]}, "InvalidParameterValue", "must be of the same size"),
    ({"Value": 1.0, "StorageResolution": 30}, "InvalidParameterValue", "StorageResolution"),
    ({}, "InvalidParameterCombination", "must be specified"),
    ({"StatisticValues": {"SampleCount": 1.0, "Sum": 1.0, "Minimum": 5.0, "Maximum": 1.0}},
     "InvalidParameterValue", "Maximum"),
])
def test_put_metric_data_refuses_bad_data_and_stores_none(cw: Any, aws: Harness, datum: dict[str, Any],
                                                          expected_code: str, fragment: str) -> None:
    good = {"MetricName": "Good", "Value": 1.0}
    with pytest.raises(ClientError) as refused:
        cw.put_metric_data(Namespace="App", MetricData=[good, {"MetricName": "Bad", **datum}])
    assert code(refused) == expected_code
    assert fragment in message(refused).replace("member.2", "member.1")
    assert cw.list_metrics()["Metrics"] == []


def test_put_metric_data_timestamp_limits_and_reserved_namespace(cw: Any, aws: Harness) -> None:
    now = aws.emulator.clock.now()
    for when in (now - dt.timedelta(days=15), now + dt.timedelta(hours=3)):
        with pytest.raises(ClientError) as refused:
            cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "M", "Value": 1.0, "Timestamp": when}])
        assert code(refused) == "InvalidParameterValue"
        assert "MetricData.member.1.Timestamp" in message(refused)
    cw.put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "M", "Value": 1.0, "Timestamp": now - dt.timedelta(days=13)},
        {"MetricName": "M", "Value": 1.0, "Timestamp": now + dt.timedelta(hours=1)}])
    with pytest.raises(ClientError) as reserved:
        cw.put_metric_data(Namespace="AWS/EC2", MetricData=[{"MetricName": "M", "Value": 1.0}])
    assert code(reserved) == "InvalidParameterValue"
    assert message(reserved) == "The value AWS/EC2 for parameter Namespace is invalid."


def test_list_metrics_filters_and_pages(cw: Any, aws: Harness) -> None:
    # 510 metrics in one request: botocore gzips a body this size, which the emulator undoes.
    cw.put_metric_data(Namespace="Many", MetricData=[
        {"MetricName": "Count", "Dimensions": [{"Name": "Shard", "Value": f"{index:04d}"}], "Value": 1.0}
        for index in range(510)])
    first = cw.list_metrics(Namespace="Many")
    assert len(first["Metrics"]) == 500
    second = cw.list_metrics(Namespace="Many", NextToken=first["NextToken"])
    assert len(second["Metrics"]) == 10 and "NextToken" not in second
    shards = {metric["Dimensions"][0]["Value"] for metric in first["Metrics"] + second["Metrics"]}
    assert len(shards) == 510
    with pytest.raises(ClientError) as bad:
        cw.list_metrics(NextToken="garbage")
    assert code(bad) == "InvalidNextToken"

    cw.put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "Latency", "Dimensions": [{"Name": "Service", "Value": "api"}, {"Name": "Az", "Value": "a"}],
         "Value": 1.0},
        {"MetricName": "Latency", "Dimensions": [{"Name": "Service", "Value": "web"}], "Value": 1.0},
        {"MetricName": "Errors", "Value": 1.0}])
    listed = cw.list_metrics(Namespace="App")["Metrics"]
    assert len(listed) == 3
    by_name = cw.list_metrics(Namespace="App", MetricName="Latency")["Metrics"]
    assert len(by_name) == 2
    name_only = cw.list_metrics(Namespace="App", Dimensions=[{"Name": "Az"}])["Metrics"]
    assert name_only == [{"Namespace": "App", "MetricName": "Latency", "Dimensions": [
        {"Name": "Az", "Value": "a"}, {"Name": "Service", "Value": "api"}]}]
    valued = cw.list_metrics(Dimensions=[{"Name": "Service", "Value": "web"}])["Metrics"]
    assert [metric["Dimensions"] for metric in valued] == [[{"Name": "Service", "Value": "web"}]]

    aws.emulator.clock.advance(4 * 3600)
    cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "Errors", "Value": 2.0}])
    recent = cw.list_metrics(RecentlyActive="PT3H")["Metrics"]
    assert recent == [{"Namespace": "App", "MetricName": "Errors", "Dimensions": []}]
    aws.emulator.clock.advance(14 * 86400)  # two weeks without new data: no longer listed
    cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "Fresh", "Value": 1.0}])
    assert [metric["MetricName"] for metric in cw.list_metrics()["Metrics"]] == ["Fresh"]


def test_retention_rolls_up_high_resolution_and_expires(cw: Any, aws: Harness) -> None:
    at = minute(aws, 3)
    cw.put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "Hot", "Value": float(second), "StorageResolution": 1,
         "Timestamp": at + dt.timedelta(seconds=second)} for second in (1, 2, 3)])
    params: dict[str, Any] = {"Namespace": "App", "MetricName": "Hot", "StartTime": at,
                              "EndTime": at + dt.timedelta(seconds=60), "Statistics": ["SampleCount", "Sum"]}
    assert len(cw.get_metric_statistics(Period=1, **params)["Datapoints"]) == 3
    aws.emulator.clock.advance(4 * 3600)
    rolled = cw.get_metric_statistics(Period=1, **params)["Datapoints"]
    assert [(point["Timestamp"], point["SampleCount"], point["Sum"]) for point in rolled] == [(at, 3.0, 6.0)]
    assert len(cw.get_metric_statistics(Period=60, **params)["Datapoints"]) == 1
    late = at + dt.timedelta(seconds=30)  # a late high-resolution point joins its rolled minute at once
    cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "Hot", "Value": 4.0, "StorageResolution": 1,
                                                     "Timestamp": late}])
    rolled = cw.get_metric_statistics(Period=1, **params)["Datapoints"]
    assert [(point["Timestamp"], point["SampleCount"], point["Sum"]) for point in rolled] == [(at, 4.0, 10.0)]
    aws.emulator.clock.advance(16 * 86400)  # minutes become five minutes after fifteen days
    five = at.timestamp() // 300 * 300
    [metric] = aws.emulator.service("cloudwatch").snapshot(aws.account, aws.region).metrics
    assert [(point.timestamp.timestamp(), point.storage_resolution, point.sample_count) for point in metric.points] \
        == [(five, 300, 4.0)]
    aws.emulator.clock.advance(440 * 86400)
    assert cw.get_metric_statistics(Period=3600, **params)["Datapoints"] == []
    view = aws.emulator.service("cloudwatch").snapshot(aws.account, aws.region)
    assert [metric.points for metric in view.metrics] == [[]]
