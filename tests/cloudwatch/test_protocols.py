"""CloudWatch speaks rpc-v2-cbor, json and query (botocore 1.44 lists all three): the same calls
through a client forced onto each protocol give the same answers and the same error codes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.cloudwatch.conftest import PROTOCOLS, minute, protocol_client
from tests.harness import Harness


def _exercise(cw: Any, aws: Harness, tag: str) -> dict[str, Any]:
    """A round of calls touching timestamps, doubles, lists, maps and errors; the answers
    without their request metadata."""
    at = minute(aws, 5)
    dims = [{"Name": "Protocol", "Value": tag}]
    cw.put_metric_data(Namespace="Wire", MetricData=[
        {"MetricName": "Hits", "Dimensions": dims, "Values": [1.5, 2.5, 10.0], "Counts": [1.0, 2.0, 1.0],
         "Unit": "Count", "Timestamp": at}])
    answers: dict[str, Any] = {}
    answers["listed"] = cw.list_metrics(Namespace="Wire", Dimensions=[{"Name": "Protocol", "Value": tag}])["Metrics"]
    answers["stats"] = cw.get_metric_statistics(
        Namespace="Wire", MetricName="Hits", Dimensions=dims, StartTime=at, EndTime=at + dt.timedelta(minutes=1),
        Period=60, Statistics=["Sum", "SampleCount", "Maximum"], ExtendedStatistics=["p50"])["Datapoints"]
    data = cw.get_metric_data(MetricDataQueries=[
        {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "Wire", "MetricName": "Hits", "Dimensions": dims},
                                    "Period": 60, "Stat": "Average"}},
        {"Id": "e1", "Expression": "m1 * 4", "Label": "times four"}],
        StartTime=at, EndTime=at + dt.timedelta(minutes=1))
    answers["data"] = data["MetricDataResults"]
    cw.put_metric_alarm(AlarmName=f"wire-{tag}", Namespace="Wire", MetricName="Hits", Dimensions=dims,
                        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1.0,
                        ComparisonOperator="GreaterThanThreshold", Tags=[{"Key": "k", "Value": "v"}])
    alarm = cw.describe_alarms(AlarmNames=[f"wire-{tag}"])["MetricAlarms"][0]
    answers["alarm"] = {key: value for key, value in alarm.items()
                        if key not in ("AlarmName", "AlarmArn", "Dimensions") and not key.endswith("Timestamp")}
    answers["tags"] = cw.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
    cw.put_dashboard(DashboardName=f"board-{tag}", DashboardBody='{"widgets": []}')
    board = cw.get_dashboard(DashboardName=f"board-{tag}")
    answers["board"] = board["DashboardBody"]
    errors = []
    for call in (lambda: cw.get_dashboard(DashboardName="missing"),
                 lambda: cw.put_metric_data(Namespace="AWS/X", MetricData=[{"MetricName": "M", "Value": 1.0}]),
                 lambda: cw.set_alarm_state(AlarmName="missing", StateValue="OK", StateReason="r"),
                 lambda: cw.put_dashboard(DashboardName="bad", DashboardBody="{not json")):
        with pytest.raises(ClientError) as refused:
            call()
        errors.append((refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"],
                       refused.value.response["ResponseMetadata"]["HTTPStatusCode"]))
    answers["errors"] = errors
    return answers


def test_three_protocols_answer_alike(aws: Harness, model_root: Path) -> None:
    answers = {}
    for protocol in PROTOCOLS:
        client = protocol_client(aws, protocol, model_root)
        answers[protocol] = _exercise(client, aws, protocol.replace("smithy-", ""))
    cbor = answers["smithy-rpc-v2-cbor"]
    assert cbor["stats"][0]["Sum"] == 16.5 and cbor["stats"][0]["ExtendedStatistics"] == {"p50": 2.5}
    assert cbor["data"][1]["Values"] == [16.5]
    assert [error[0] for error in cbor["errors"]] == ["ResourceNotFound", "InvalidParameterValue", "ResourceNotFound",
                                                      "InvalidParameterInput"]
    for protocol in ("json", "query"):
        other = answers[protocol]
        for key in cbor:
            if key == "listed":
                continue
            assert other[key] == cbor[key], (protocol, key)
        assert [metric["MetricName"] for metric in other["listed"]] == ["Hits"]


def test_dashboard_validation_messages_reach_the_client(aws: Harness, model_root: Path) -> None:
    for protocol in PROTOCOLS:
        client = protocol_client(aws, protocol, model_root)
        with pytest.raises(ClientError) as refused:
            client.put_dashboard(DashboardName="d", DashboardBody='{"widgets": [{"type": "pie"}]}')
        assert refused.value.response["Error"]["Code"] == "InvalidParameterInput", protocol
        assert "/widgets/0/type" in refused.value.response["Error"]["Message"], protocol


def test_gzipped_put_metric_data_on_every_protocol(aws: Harness, model_root: Path) -> None:
    """botocore gzips a PutMetricData body over 10 KiB on every protocol; the query protocol's
    operation name is inside that body."""
    for protocol in PROTOCOLS:
        client = protocol_client(aws, protocol, model_root)
        client.put_metric_data(Namespace=f"Big/{protocol}", MetricData=[
            {"MetricName": f"metric-{index:03d}", "Value": float(index), "Unit": "Count"} for index in range(300)])
        first = client.list_metrics(Namespace=f"Big/{protocol}")
        assert len(first["Metrics"]) == 300, protocol
