"""Alarms: evaluation on the emulator clock, missing-data treatment, SNS actions landing in an
SQS queue, Lambda actions, EventBridge state-change events, composite alarms, SetAlarmState,
history, describe filters, deletes and tags."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.cloudwatch.conftest import code, message
from tests.harness import Harness
from tests.lambda_.conftest import create

DIMS = [{"Name": "Queue", "Value": "jobs"}]


def _alarm(cw: Any, name: str = "high", **kwargs: Any) -> None:
    params: dict[str, Any] = {"AlarmName": name, "Namespace": "App", "MetricName": "Backlog", "Dimensions": DIMS,
                              "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 5.0,
                              "ComparisonOperator": "GreaterThanThreshold"}
    params.update(kwargs)
    cw.put_metric_alarm(**params)


def _put(cw: Any, value: float, **kwargs: Any) -> None:
    cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "Backlog", "Dimensions": DIMS, "Value": value,
                                                     **kwargs}])


def _state(cw: Any, name: str = "high", types: tuple[str, ...] = ("MetricAlarm", "CompositeAlarm")) -> dict[str, Any]:
    found = cw.describe_alarms(AlarmNames=[name], AlarmTypes=list(types))
    return (found["MetricAlarms"] + found["CompositeAlarms"])[0]


def _topic_with_queue(aws: Harness, name: str = "alarms") -> tuple[str, str, Any]:
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name=name)["TopicArn"]
    url = sqs.create_queue(QueueName=f"{name}-inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    return topic, url, sqs


def test_alarm_goes_to_alarm_and_notifies_sns_into_sqs(cw: Any, aws: Harness) -> None:
    topic, url, sqs = _topic_with_queue(aws)
    _alarm(cw, AlarmActions=[topic], OKActions=[topic], AlarmDescription="backlog too high")
    created = _state(cw)
    assert created["StateValue"] == "INSUFFICIENT_DATA"
    assert created["StateReason"] == "Unchecked: Initial alarm creation"
    assert created["AlarmArn"] == f"arn:aws:cloudwatch:{aws.region}:{aws.account}:alarm:high"
    _put(cw, 10.0)
    aws.emulator.clock.advance(60)
    alarm = _state(cw)
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 datapoint [10.0 (")
    assert alarm["StateReason"].endswith("was greater than the threshold (5.0).")
    reason_data = json.loads(alarm["StateReasonData"])
    assert reason_data["recentDatapoints"] == [10.0] and reason_data["threshold"] == 5.0
    assert reason_data["statistic"] == "Maximum" and reason_data["period"] == 60

    [received] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    envelope = json.loads(received["Body"])
    assert envelope["Subject"] == 'ALARM: "high" in US East (N. Virginia)'
    body = json.loads(envelope["Message"])
    assert body["AlarmName"] == "high" and body["AlarmDescription"] == "backlog too high"
    assert (body["OldStateValue"], body["NewStateValue"]) == ("INSUFFICIENT_DATA", "ALARM")
    assert body["AWSAccountId"] == aws.account and body["Region"] == "US East (N. Virginia)"
    assert body["Trigger"]["MetricName"] == "Backlog" and body["Trigger"]["Statistic"] == "MAXIMUM"
    assert body["Trigger"]["Dimensions"] == [{"value": "jobs", "name": "Queue"}]
    assert body["Trigger"]["Threshold"] == 5.0

    # Back under the threshold: OK, and the OK action fires.
    sqs.delete_message(QueueUrl=url, ReceiptHandle=received["ReceiptHandle"])
    _put(cw, 1.0)
    aws.emulator.clock.advance(60)
    assert _state(cw)["StateValue"] == "OK"
    [back] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(json.loads(back["Body"])["Message"])["NewStateValue"] == "OK"

    history = cw.describe_alarm_history(AlarmName="high", ScanBy="TimestampAscending")["AlarmHistoryItems"]
    kinds = [(item["HistoryItemType"], item["HistorySummary"]) for item in history]
    assert kinds[0] == ("ConfigurationUpdate", 'Alarm "high" created')
    assert ("StateUpdate", "Alarm updated from INSUFFICIENT_DATA to ALARM") in kinds
    assert ("StateUpdate", "Alarm updated from ALARM to OK") in kinds
    assert ("Action", f"Successfully executed action {topic}") in kinds
    update = next(item for item in history if item["HistorySummary"].endswith("to ALARM"))
    data = json.loads(update["HistoryData"])
    assert data["oldState"]["stateValue"] == "INSUFFICIENT_DATA" and data["newState"]["stateValue"] == "ALARM"
    only_actions = cw.describe_alarm_history(AlarmName="high", HistoryItemType="Action")["AlarmHistoryItems"]
    assert len(only_actions) == 2
    published = json.loads(json.loads(only_actions[-1]["HistoryData"])["publishedMessage"])
    assert published["NewStateValue"] == "ALARM"


@pytest.mark.parametrize(("treatment", "expected"), [
    ("missing", "INSUFFICIENT_DATA"), ("breaching", "ALARM"), ("notBreaching", "OK"), ("ignore", "INSUFFICIENT_DATA"),
])
def test_missing_data_treatment(cw: Any, aws: Harness, treatment: str, expected: str) -> None:
    _alarm(cw, TreatMissingData=treatment)
    aws.emulator.clock.advance(120)
    alarm = _state(cw)
    assert alarm["StateValue"] == expected
    if treatment == "missing":
        assert alarm["StateReason"] == "Insufficient Data: 1 datapoint was unknown."
    if treatment == "ignore":
        assert alarm["StateReason"] == "Unchecked: Initial alarm creation"


def test_datapoints_to_alarm_m_out_of_n(cw: Any, aws: Harness) -> None:
    _alarm(cw, EvaluationPeriods=3, DatapointsToAlarm=2)
    _put(cw, 9.0)
    aws.emulator.clock.advance(60)
    assert _state(cw)["StateValue"] == "OK"  # 1 of 3 breaching
    _put(cw, 1.0)
    aws.emulator.clock.advance(60)
    assert _state(cw)["StateValue"] == "OK"
    _put(cw, 8.0)
    aws.emulator.clock.advance(60)
    alarm = _state(cw)
    assert alarm["StateValue"] == "ALARM"
    assert "2 out of the last 3 datapoints" in alarm["StateReason"]
    assert "(minimum 2 datapoints for OK -> ALARM transition)" in alarm["StateReason"]


def test_metric_math_alarm_and_percentile_alarm(cw: Any, aws: Harness) -> None:
    cw.put_metric_alarm(AlarmName="ratio", EvaluationPeriods=1, Threshold=0.5,
                        ComparisonOperator="GreaterThanOrEqualToThreshold", Metrics=[
                            {"Id": "errors", "ReturnData": False, "MetricStat": {"Metric": {
                                "Namespace": "App", "MetricName": "Errors"}, "Period": 60, "Stat": "Sum"}},
                            {"Id": "calls", "ReturnData": False, "MetricStat": {"Metric": {
                                "Namespace": "App", "MetricName": "Calls"}, "Period": 60, "Stat": "Sum"}},
                            {"Id": "rate", "Expression": "errors / calls", "Label": "error rate"}])
    cw.put_metric_alarm(
        AlarmName="slow", Namespace="App", MetricName="Latency", ExtendedStatistic="p90", Period=60,
        EvaluationPeriods=1, Threshold=100.0, ComparisonOperator="GreaterThanThreshold")
    cw.put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "Errors", "Value": 3.0}, {"MetricName": "Calls", "Value": 4.0},
        {"MetricName": "Latency", "Values": [10.0, 500.0], "Counts": [9.0, 1.0]}])
    aws.emulator.clock.advance(60)
    assert _state(cw, "ratio")["StateValue"] == "ALARM"
    slow = _state(cw, "slow")
    assert slow["StateValue"] == "OK"  # p90 of nine 10s and one 500 is 10
    assert slow["ExtendedStatistic"] == "p90"


def test_composite_alarm_follows_its_rule(cw: Any, aws: Harness) -> None:
    topic, url, sqs = _topic_with_queue(aws, "composite")
    _alarm(cw, "a")
    _alarm(cw, "b")
    with pytest.raises(ClientError) as unknown:
        cw.put_composite_alarm(AlarmName="both", AlarmRule='ALARM("a") AND ALARM(nope)')
    assert code(unknown) == "ValidationError"
    assert "nope" in message(unknown)
    with pytest.raises(ClientError) as syntax:
        cw.put_composite_alarm(AlarmName="both", AlarmRule='ALARM("a") AND')
    assert code(syntax) == "ValidationError"
    cw.put_composite_alarm(AlarmName="both", AlarmRule='ALARM("a") AND (ALARM(b) OR FALSE)', AlarmActions=[topic])
    cw.put_composite_alarm(AlarmName="calm", AlarmRule="NOT ALARM(both) AND TRUE")
    assert _state(cw, "both")["StateValue"] == "OK"
    assert _state(cw, "calm")["StateValue"] == "ALARM"
    cw.set_alarm_state(AlarmName="a", StateValue="ALARM", StateReason="testing a")
    assert _state(cw, "both")["StateValue"] == "OK"
    cw.set_alarm_state(AlarmName="b", StateValue="ALARM", StateReason="testing b",
                       StateReasonData=json.dumps({"why": "test"}))
    both = _state(cw, "both")
    assert both["StateValue"] == "ALARM"
    assert f"arn:aws:cloudwatch:{aws.region}:{aws.account}:alarm:b transitioned to ALARM" in both["StateReason"]
    assert _state(cw, "calm")["StateValue"] == "OK"
    # SetAlarmState on a composite holds until its next evaluation (the next tick).
    cw.set_alarm_state(AlarmName="calm", StateValue="ALARM", StateReason="by hand")
    assert (_state(cw, "calm")["StateValue"], _state(cw, "calm")["StateReason"]) == ("ALARM", "by hand")
    aws.emulator.clock.advance(60)  # a and b have no data: INSUFFICIENT_DATA, so both is OK and calm ALARM
    assert [_state(cw, name)["StateValue"] for name in ("a", "both", "calm")] == ["INSUFFICIENT_DATA", "OK", "ALARM"]
    assert _state(cw, "calm")["StateReason"] != "by hand"
    [received] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    body = json.loads(json.loads(received["Body"])["Message"])
    assert body["AlarmName"] == "both" and body["NewStateValue"] == "ALARM"
    assert body["AlarmRule"] == 'ALARM("a") AND (ALARM(b) OR FALSE)'

    described = cw.describe_alarms()
    assert [alarm["AlarmName"] for alarm in described["MetricAlarms"]] == ["a", "b"]
    assert described["CompositeAlarms"] == []  # only metric alarms unless AlarmTypes says
    children = cw.describe_alarms(ChildrenOfAlarmName="both", AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    assert [alarm["AlarmName"] for alarm in children["MetricAlarms"]] == ["a", "b"]
    parents = cw.describe_alarms(ParentsOfAlarmName="both", AlarmTypes=["CompositeAlarm"])
    assert [alarm["AlarmName"] for alarm in parents["CompositeAlarms"]] == ["calm"]
    with pytest.raises(ClientError) as referenced:
        cw.delete_alarms(AlarmNames=["a"])
    assert code(referenced) == "ValidationError"
    cw.delete_alarms(AlarmNames=["calm", "both"])
    cw.delete_alarms(AlarmNames=["a"])
    assert [alarm["AlarmName"] for alarm in cw.describe_alarms()["MetricAlarms"]] == ["b"]


def test_set_alarm_state_errors_and_actions_disabled(cw: Any, aws: Harness) -> None:
    topic, url, sqs = _topic_with_queue(aws)
    _alarm(cw, AlarmActions=[topic])
    with pytest.raises(ClientError) as missing:
        cw.set_alarm_state(AlarmName="nope", StateValue="OK", StateReason="x")
    assert code(missing) == "ResourceNotFound"
    with pytest.raises(ClientError) as bad_json:
        cw.set_alarm_state(AlarmName="high", StateValue="OK", StateReason="x", StateReasonData="{no")
    assert code(bad_json) == "InvalidFormat"
    cw.disable_alarm_actions(AlarmNames=["high"])
    assert _state(cw)["ActionsEnabled"] is False
    cw.set_alarm_state(AlarmName="high", StateValue="ALARM", StateReason="manual")
    alarm = _state(cw)
    assert (alarm["StateValue"], alarm["StateReason"]) == ("ALARM", "manual")
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    cw.enable_alarm_actions(AlarmNames=["high"])
    cw.set_alarm_state(AlarmName="high", StateValue="OK", StateReason="manual")
    cw.set_alarm_state(AlarmName="high", StateValue="ALARM", StateReason="again")
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 1


def test_describe_filters_pages_and_alarms_for_metric(cw: Any, aws: Harness) -> None:
    for index in range(7):
        _alarm(cw, f"alarm-{index}", AlarmActions=["arn:aws:sns:us-east-1:123456789012:t"] if index % 2 else [])
    _alarm(cw, "other", MetricName="Other")
    first = cw.describe_alarms(AlarmNamePrefix="alarm-", MaxRecords=5)
    assert len(first["MetricAlarms"]) == 5
    rest = cw.describe_alarms(AlarmNamePrefix="alarm-", MaxRecords=5, NextToken=first["NextToken"])
    assert [alarm["AlarmName"] for alarm in rest["MetricAlarms"]] == ["alarm-5", "alarm-6"]
    assert "NextToken" not in rest
    with_action = cw.describe_alarms(ActionPrefix="arn:aws:sns:")["MetricAlarms"]
    assert [alarm["AlarmName"] for alarm in with_action] == ["alarm-1", "alarm-3", "alarm-5"]
    cw.set_alarm_state(AlarmName="alarm-2", StateValue="OK", StateReason="x")
    assert [alarm["AlarmName"] for alarm in cw.describe_alarms(StateValue="OK")["MetricAlarms"]] == ["alarm-2"]
    for_metric = cw.describe_alarms_for_metric(Namespace="App", MetricName="Other", Dimensions=DIMS)["MetricAlarms"]
    assert [alarm["AlarmName"] for alarm in for_metric] == ["other"]
    assert cw.describe_alarms_for_metric(Namespace="App", MetricName="Other")["MetricAlarms"] == []
    with pytest.raises(ClientError) as not_found:
        cw.delete_alarms(AlarmNames=["alarm-1", "ghost"])
    assert code(not_found) == "ResourceNotFound"
    assert len(cw.describe_alarms(AlarmNames=["alarm-1"])["MetricAlarms"]) == 1


@pytest.mark.parametrize(("overrides", "expected_code"), [
    ({"Statistic": "Average", "ExtendedStatistic": "p99"}, "InvalidParameterCombination"),
    ({"TreatMissingData": "sometimes"}, "InvalidParameterValue"),
    ({"EvaluationPeriods": 1, "DatapointsToAlarm": 2}, "ValidationError"),
    ({"Period": 45}, "InvalidParameterValue"),
    ({"AlarmActions": ["not-an-arn"]}, "ValidationError"),
])
def test_put_metric_alarm_checks(cw: Any, overrides: dict[str, Any], expected_code: str) -> None:
    with pytest.raises(ClientError) as refused:
        _alarm(cw, **overrides)
    assert code(refused) == expected_code
    assert cw.describe_alarms()["MetricAlarms"] == []


def test_update_keeps_state_and_tags_on_alarm_arns(cw: Any, aws: Harness) -> None:
    _alarm(cw, Tags=[{"Key": "team", "Value": "ops"}])
    cw.set_alarm_state(AlarmName="high", StateValue="ALARM", StateReason="manual")
    _alarm(cw, Threshold=50.0)
    alarm = _state(cw)
    assert (alarm["StateValue"], alarm["Threshold"]) == ("ALARM", 50.0)
    arn = alarm["AlarmArn"]
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "ops"}]
    cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "tier", "Value": "1"}])
    cw.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "tier", "Value": "1"}]
    with pytest.raises(ClientError) as missing:
        cw.list_tags_for_resource(ResourceARN=arn + "-nope")
    assert code(missing) == "ResourceNotFoundException"
    updates = cw.describe_alarm_history(AlarmName="high", HistoryItemType="ConfigurationUpdate")["AlarmHistoryItems"]
    assert [item["HistorySummary"] for item in updates] == ['Alarm "high" updated', 'Alarm "high" created']
    data = json.loads(updates[0]["HistoryData"])
    assert data["type"] == "Update"
    assert data["originalAlarm"]["threshold"] == 5.0 and data["updatedAlarm"]["threshold"] == 50.0


def test_band_alarm_on_a_threshold_metric(cw: Any, aws: Harness) -> None:
    cw.put_metric_alarm(AlarmName="band", EvaluationPeriods=1, ThresholdMetricId="band",
                        ComparisonOperator="LessThanLowerOrGreaterThanUpperThreshold", Metrics=[
                            {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "App", "MetricName": "Backlog",
                                                                   "Dimensions": DIMS}, "Period": 60, "Stat": "Sum"}},
                            {"Id": "band", "Expression": "[m1 * 0 + 2, m1 * 0 + 8]"}])
    _put(cw, 5.0)
    aws.emulator.clock.advance(60)
    assert _state(cw, "band")["StateValue"] == "OK"
    _put(cw, 20.0)
    aws.emulator.clock.advance(60)
    assert _state(cw, "band")["StateValue"] == "ALARM"
    with pytest.raises(ClientError) as needs_metric:
        cw.put_metric_alarm(AlarmName="band2", EvaluationPeriods=1, Namespace="App", MetricName="Backlog",
                            Statistic="Sum", Period=60, ComparisonOperator="GreaterThanUpperThreshold")
    assert code(needs_metric) == "ValidationError"


def test_lambda_alarm_action_gets_the_alarm_event(cw: Any, aws: Harness) -> None:
    lam = aws.client("lambda")
    function = create(lam, "on-alarm", "import json\n\ndef handler(event, context):\n"
                                       "    print('EVENT ' + json.dumps(event))\n")
    _alarm(cw, AlarmActions=[function])
    cw.set_alarm_state(AlarmName="high", StateValue="ALARM", StateReason="by hand")
    assert aws.emulator.service("lambda").wait_for_invocations(20)
    logged = aws.client("logs").filter_log_events(logGroupName="/aws/lambda/on-alarm", filterPattern="EVENT")
    [line] = [event["message"] for event in logged["events"]]
    event = json.loads(line.split("EVENT ", 1)[1])
    assert event["source"] == "aws.cloudwatch" and event["alarmArn"].endswith(":alarm:high")
    assert event["alarmData"]["state"]["value"] == "ALARM" and event["alarmData"]["state"]["reason"] == "by hand"
    assert event["alarmData"]["previousState"]["value"] == "INSUFFICIENT_DATA"
    assert event["alarmData"]["configuration"]["metrics"][0]["metricStat"]["metric"]["name"] == "Backlog"
    actions = cw.describe_alarm_history(AlarmName="high", HistoryItemType="Action")["AlarmHistoryItems"]
    assert [item["HistorySummary"] for item in actions] == [f"Successfully executed action {function}"]


def test_state_changes_reach_eventbridge(cw: Any, aws: Harness) -> None:
    events, sqs = aws.client("events"), aws.client("sqs")
    url = sqs.create_queue(QueueName="alarm-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="alarms", EventPattern=json.dumps({"source": ["aws.cloudwatch"],
                                                            "detail-type": ["CloudWatch Alarm State Change"]}))
    events.put_targets(Rule="alarms", Targets=[{"Id": "q", "Arn": queue_arn}])
    _alarm(cw, ActionsEnabled=False)  # the event is no action: it is sent all the same
    cw.set_alarm_state(AlarmName="high", StateValue="ALARM", StateReason="by hand")
    [received] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    event = json.loads(received["Body"])
    assert (event["source"], event["detail-type"]) == ("aws.cloudwatch", "CloudWatch Alarm State Change")
    assert event["resources"] == [f"arn:aws:cloudwatch:{aws.region}:{aws.account}:alarm:high"]
    assert event["detail"]["alarmName"] == "high"
    assert event["detail"]["state"]["value"] == "ALARM" and event["detail"]["state"]["reason"] == "by hand"
    assert event["detail"]["previousState"]["value"] == "INSUFFICIENT_DATA"
    assert cw.describe_alarm_history(AlarmName="high", HistoryItemType="Action")["AlarmHistoryItems"] == []
