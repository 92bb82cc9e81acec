"""CloudWatch's state view: snapshot -> restore onto a fresh emulator (metrics with their points,
alarms with state, history and tags, dashboards), merge, refused views, notifications."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import boto3
import pytest

import hoarfrost
from hoarfrost.core.views import StateChange, StateViewError
from hoarfrost.services.cloudwatch.views import CloudWatchStateView
from tests.cloudwatch.conftest import minute
from tests.harness import Harness

ACCOUNT, REGION = "123456789012", "us-east-1"


def _populate(cw: Any, aws: Harness) -> dt.datetime:
    at = minute(aws, 3)
    cw.put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "Load", "Dimensions": [{"Name": "Host", "Value": "h1"}], "Values": [1.0, 9.0],
         "Counts": [3.0, 1.0], "Unit": "Percent", "Timestamp": at},
        {"MetricName": "Load", "Dimensions": [{"Name": "Host", "Value": "h1"}], "Unit": "Percent", "Timestamp": at,
         "StatisticValues": {"SampleCount": 2.0, "Sum": 10.0, "Minimum": 4.0, "Maximum": 6.0}}])
    cw.put_metric_alarm(AlarmName="load", Namespace="App", MetricName="Load",
                        Dimensions=[{"Name": "Host", "Value": "h1"}], Statistic="Maximum", Period=60,
                        EvaluationPeriods=1, Threshold=50.0, ComparisonOperator="GreaterThanThreshold",
                        Tags=[{"Key": "team", "Value": "ops"}])
    cw.set_alarm_state(AlarmName="load", StateValue="ALARM", StateReason="by hand")
    cw.put_composite_alarm(AlarmName="any", AlarmRule="ALARM(load)")
    cw.put_dashboard(DashboardName="main", DashboardBody=json.dumps({"widgets": [{"type": "text", "x": 0, "y": 0,
                                                                                  "properties": {"markdown": "hi"}}]}))
    return at


def _reads(cw: Any, at: dt.datetime) -> dict[str, Any]:
    stats = cw.get_metric_statistics(Namespace="App", MetricName="Load", Dimensions=[{"Name": "Host", "Value": "h1"}],
                                     StartTime=at, EndTime=at + dt.timedelta(minutes=1), Period=60,
                                     Statistics=["SampleCount", "Sum", "Maximum"], ExtendedStatistics=["p50"])
    alarms = cw.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    arn = alarms["MetricAlarms"][0]["AlarmArn"]
    return {"stats": stats["Datapoints"], "metric_alarms": alarms["MetricAlarms"],
            "composite_alarms": alarms["CompositeAlarms"],
            "history": cw.describe_alarm_history(AlarmTypes=["MetricAlarm", "CompositeAlarm"])["AlarmHistoryItems"],
            "tags": cw.list_tags_for_resource(ResourceARN=arn)["Tags"],
            "dashboard": cw.get_dashboard(DashboardName="main")["DashboardBody"],
            "dashboards": cw.list_dashboards()["DashboardEntries"]}


def test_snapshot_restores_onto_a_fresh_emulator(cw: Any, aws: Harness) -> None:
    at = _populate(cw, aws)
    before = _reads(cw, at)
    assert before["stats"][0]["SampleCount"] == 6.0 and before["stats"][0]["ExtendedStatistics"] == {"p50": 1.0}
    view = aws.emulator.service("cloudwatch").snapshot(aws.account, aws.region)
    assert isinstance(view, CloudWatchStateView)
    text = view.model_dump_json()
    data = json.loads(text)
    [metric] = data["metrics"]
    assert metric["dimensions"] == {"Host": "h1"} and len(metric["points"]) == 2
    assert data["metric_alarms"][0]["config"]["threshold"] == 50.0
    assert data["metric_alarms"][0]["state_value"] == "ALARM"

    with hoarfrost.mock_aws() as fresh:
        fresh.clock.advance(aws.emulator.clock.offset)  # the same moment, so retention keeps the same points
        fresh.service("cloudwatch").restore(ACCOUNT, REGION, text)
        cw2 = boto3.client("cloudwatch", region_name=REGION)
        assert _reads(cw2, at) == before
        # Restored alarms are evaluated on the fresh emulator's clock.
        cw2.put_metric_data(Namespace="App", MetricData=[
            {"MetricName": "Load", "Dimensions": [{"Name": "Host", "Value": "h1"}], "Value": 1.0}])
        fresh.clock.advance(60)
        alarms = cw2.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
        assert alarms["MetricAlarms"][0]["StateValue"] == "OK"
        assert alarms["CompositeAlarms"][0]["StateValue"] == "OK"


def test_merge_adds_and_replaces_by_key(cw: Any, aws: Harness) -> None:
    at = _populate(cw, aws)
    service = aws.emulator.service("cloudwatch")
    service.merge(aws.account, aws.region, {
        "dashboards": [{"name": "extra", "body": "{}", "last_modified": "2026-01-01T00:00:00Z"}],
        "metric_alarms": [{"name": "load", "config": {
            "alarm_name": "load", "namespace": "App", "metric_name": "Load", "statistic": "Maximum", "period": 60,
            "evaluation_periods": 1, "threshold": 75.0, "comparison_operator": "GreaterThanThreshold"}}],
        "metrics": [{"namespace": "Other", "metric_name": "M", "points": [
            {"timestamp": at.isoformat(), "sample_count": 1, "sum": 2, "minimum": 2, "maximum": 2}]}],
    })
    assert sorted(entry["DashboardName"] for entry in cw.list_dashboards()["DashboardEntries"]) == ["extra", "main"]
    [alarm] = cw.describe_alarms()["MetricAlarms"]
    assert alarm["Threshold"] == 75.0
    assert {metric["Namespace"] for metric in cw.list_metrics()["Metrics"]} == {"App", "Other"}
    assert len(cw.describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]) == 1


@pytest.mark.parametrize("bad", [
    {"metric_alarms": [{"name": "x", "state_value": "PANIC", "config": {
        "comparison_operator": "GreaterThanThreshold", "evaluation_periods": 1, "metrics": []}}]},
    {"dashboards": [{"name": "d", "body": "{nope", "last_modified": "2026-01-01T00:00:00Z"}]},
    {"composite_alarms": [{"name": "c", "config": {"alarm_rule": "ALARM(a) AND"}}]},
    {"metrics": [{"namespace": "N", "metric_name": "M", "points": [
        {"timestamp": "2026-01-01T00:00:00Z", "sample_count": 1, "sum": 1, "minimum": 5, "maximum": 1}]}]},
    {"dashboards": [{"name": "d", "body": "{}", "last_modified": "2026-01-01T00:00:00Z"},
                    {"name": "d", "body": "{}", "last_modified": "2026-01-01T00:00:00Z"}]},
    {"metric_alarms": [{"name": "x", "config": {}, "surprise": 1}]},
])
def test_invalid_views_change_nothing(cw: Any, aws: Harness, bad: dict[str, Any]) -> None:
    at = _populate(cw, aws)
    before = _reads(cw, at)
    service = aws.emulator.service("cloudwatch")
    for apply in (service.restore, service.merge):
        with pytest.raises(StateViewError) as refused:
            apply(aws.account, aws.region, bad)
        assert refused.value.kind == "invalid"
        assert _reads(cw, at) == before


def test_notifications_follow_mutations_and_evaluations(cw: Any, aws: Harness) -> None:
    changes: list[StateChange] = []
    with aws.emulator.service("cloudwatch").notifier.subscribe(changes.append):
        cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "M", "Value": 1.0}])
        cw.list_metrics()
        cw.put_metric_alarm(AlarmName="a", Namespace="App", MetricName="M", Statistic="Sum", Period=60,
                            EvaluationPeriods=1, Threshold=0.0, ComparisonOperator="GreaterThanThreshold")
        aws.emulator.clock.advance(60)
        operations = [change.operation for change in changes]
        assert operations[:2] == ["PutMetricData", "PutMetricAlarm"]
        assert "AlarmEvaluation" in operations
        assert changes[-1].view().metric_alarms[0].state_value == "ALARM"
