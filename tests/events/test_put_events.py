"""PutEvents: the envelope delivered to SQS (standard and FIFO), per-entry errors, the size
limit, input, input path and input transformers, bus-to-bus targets and Logs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.events.conftest import bodies, drain, entry, error_code, error_message, make_queue, rule_to_queue
from tests.harness import Harness


def test_an_event_reaches_the_queue_of_a_matching_rule_in_aws_envelope(aws: Harness, events: Any, sqs: Any) -> None:
    url = rule_to_queue(events, sqs, "orders", {"source": ["my.app"], "detail": {"n": [{"numeric": [">", 0]}]}})
    out = events.put_events(Entries=[entry({"n": 5}, Resources=["arn:aws:s3:::b"]),
                                     entry({"n": 0})])
    assert out["FailedEntryCount"] == 0
    ids = [e["EventId"] for e in out["Entries"]]
    received = bodies(sqs, url)
    assert len(received) == 1
    event = received[0]
    assert list(event) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources",
                           "detail"]
    assert event["id"] == ids[0]
    assert event["detail"] == {"n": 5}
    assert event["account"] == aws.account and event["region"] == aws.region
    assert event["resources"] == ["arn:aws:s3:::b"]
    assert event["detail-type"] == "Order Placed"


def test_disabled_rules_and_other_buses_receive_nothing(events: Any, sqs: Any) -> None:
    url = rule_to_queue(events, sqs, "orders", {"source": ["my.app"]})
    events.create_event_bus(Name="other")
    events.put_events(Entries=[entry(EventBusName="other")])
    events.disable_rule(Name="orders")
    events.put_events(Entries=[entry()])
    assert drain(sqs, url) == []
    events.enable_rule(Name="orders")
    events.put_events(Entries=[entry()])
    assert len(drain(sqs, url)) == 1


def test_a_fifo_queue_gets_the_message_group_of_sqs_parameters(events: Any, sqs: Any) -> None:
    url, arn = make_queue(sqs, "jobs.fifo", FifoQueue="true")
    events.put_rule(Name="jobs", EventPattern=json.dumps({"source": ["my.app"]}))
    with pytest.raises(ClientError) as caught:
        events.put_targets(Rule="jobs", Targets=[{"Id": "q", "Arn": arn}])
    assert error_code(caught) == "ValidationException"
    assert error_message(caught) == "Parameter(s) SqsParameters must be specified for target: q."
    events.put_targets(Rule="jobs", Targets=[{"Id": "q", "Arn": arn, "SqsParameters": {"MessageGroupId": "g1"}}])
    out = events.put_events(Entries=[entry({"n": 1}), entry({"n": 2})])
    messages = drain(sqs, url)
    assert [json.loads(m["Body"])["detail"]["n"] for m in messages] == [1, 2]
    assert {m["Attributes"]["MessageGroupId"] for m in messages} == {"g1"}
    assert [m["Attributes"]["MessageDeduplicationId"] for m in messages] == [e["EventId"] for e in out["Entries"]]


def test_per_entry_errors(events: Any) -> None:
    out = events.put_events(Entries=[
        {"Source": "my.app", "DetailType": "x"},
        {"Source": "my.app", "Detail": "{}"},
        {"DetailType": "x", "Detail": "{}"},
        entry(Detail="not json"),
        entry(Detail="[1]"),
        entry(Source="aws.ec2"),
        entry(EventBusName="nope"),
        entry(),
    ])
    assert out["FailedEntryCount"] == 7
    results = out["Entries"]
    assert results[0] == {"ErrorCode": "InvalidArgument",
                          "ErrorMessage": "Parameter Detail is not valid. Reason: Detail is a required argument."}
    assert results[1]["ErrorMessage"] == ("Parameter DetailType is not valid. Reason: DetailType is a required "
                                          "argument.")
    assert results[2]["ErrorMessage"] == "Parameter Source is not valid. Reason: Source is a required argument."
    assert results[3] == {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    assert results[4]["ErrorCode"] == "MalformedDetail"
    assert results[5]["ErrorCode"] == "NotAuthorizedForSourceException"
    assert results[6] == {"ErrorCode": "ResourceNotFoundException", "ErrorMessage": "Event bus nope does not exist."}
    assert set(results[7]) == {"EventId"}


def test_the_request_size_limit(events: Any) -> None:
    big = json.dumps({"x": "a" * 200_000})
    with pytest.raises(ClientError) as caught:
        events.put_events(Entries=[entry(Detail=big), entry(Detail=big)])
    assert error_code(caught) == "ValidationException"
    assert error_message(caught) == "Total size of the entries in the request is over the limit."
    assert events.put_events(Entries=[entry(Detail=big)])["FailedEntryCount"] == 0


def test_the_event_time_is_the_entrys_when_given(events: Any, sqs: Any) -> None:
    import datetime as dt

    url = rule_to_queue(events, sqs, "r", {"source": ["my.app"]})
    events.put_events(Entries=[entry(Time=dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc))])
    assert bodies(sqs, url)[0]["time"] == "2024-05-06T07:08:09Z"


def test_input_and_input_path(events: Any, sqs: Any) -> None:
    url, arn = make_queue(sqs, "inbox")
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["my.app"]}))
    events.put_targets(Rule="r", Targets=[
        {"Id": "constant", "Arn": arn, "Input": '{"fixed": true}'},
        {"Id": "path", "Arn": arn, "InputPath": "$.detail.order"},
    ])
    events.put_events(Entries=[entry({"order": {"id": "o-2"}})])
    received = sorted(json.dumps(b, sort_keys=True) for b in bodies(sqs, url))
    assert received == sorted([json.dumps({"fixed": True}), json.dumps({"id": "o-2"})])


def test_input_transformer_json_template(events: Any, sqs: Any) -> None:
    url = rule_to_queue(events, sqs, "r", {"source": ["my.app"]}, InputTransformer={
        "InputPathsMap": {"id": "$.detail.id", "count": "$.detail.count", "tags": "$.detail.tags",
                          "missing": "$.detail.nope"},
        "InputTemplate": '{"order": <id>, "text": "order <id> has <count> items", "count": <count>, '
                         '"tags": <tags>, "none": <missing>, "rule": "<aws.events.rule-name>"}',
    })
    events.put_events(Entries=[entry({"id": "o-\"1\"", "count": 3, "tags": ["a", "b"]})])
    assert bodies(sqs, url) == [{"order": 'o-"1"', "text": 'order o-"1" has 3 items', "count": 3,
                                 "tags": ["a", "b"], "none": None, "rule": "r"}]


def test_input_transformer_text_template(events: Any, sqs: Any) -> None:
    url = rule_to_queue(events, sqs, "r", {"source": ["my.app"]}, InputTransformer={
        "InputPathsMap": {"state": "$.detail.state", "source": "$.source"},
        "InputTemplate": "Instance is in <state> state from <source>",
    })
    events.put_events(Entries=[entry({"state": "running"})])
    assert [m["Body"] for m in drain(sqs, url)] == ["Instance is in running state from my.app"]


@pytest.mark.parametrize(("target", "message"), [
    ({"Input": "{}", "InputPath": "$"}, "Only one of Input, InputPath, or InputTransformer must be provided for "
                                        "target t."),
    ({"InputPath": "detail"}, "Parameter InputPath is not valid: detail"),
    ({"InputTransformer": {"InputPathsMap": {"aws.events.x": "$.a"}, "InputTemplate": "x"}},
     "InputTransformer for target t contains a reserved key: aws.events.x."),
    ({"InputTransformer": {"InputPathsMap": {"a": "$.a"}, "InputTemplate": '{"a": <a>'}},
     "InputTemplate for target t must be a valid JSON."),
])
def test_invalid_inputs_are_refused(events: Any, sqs: Any, target: dict[str, Any], message: str) -> None:
    _, arn = make_queue(sqs, "inbox")
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["my.app"]}))
    with pytest.raises(ClientError) as caught:
        events.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": arn, **target}])
    assert error_code(caught) == "ValidationException"
    assert error_message(caught) == message
    assert events.list_targets_by_rule(Rule="r")["Targets"] == []


def test_a_bus_target_forwards_to_another_bus(events: Any, sqs: Any) -> None:
    bus_arn = events.create_event_bus(Name="downstream")["EventBusArn"]
    url, arn = make_queue(sqs, "inbox")
    events.put_rule(Name="down", EventBusName="downstream", EventPattern=json.dumps({"source": ["my.app"]}))
    events.put_targets(Rule="down", EventBusName="downstream", Targets=[{"Id": "q", "Arn": arn}])
    events.put_rule(Name="fwd", EventPattern=json.dumps({"source": ["my.app"]}))
    events.put_targets(Rule="fwd", Targets=[{"Id": "bus", "Arn": bus_arn}])
    event_id = events.put_events(Entries=[entry()])["Entries"][0]["EventId"]
    assert [b["id"] for b in bodies(sqs, url)] == [event_id]


def test_a_bus_in_another_account_takes_events_its_policy_allows(aws: Harness, events: Any, sqs: Any) -> None:
    other = aws.client("events", aws_access_key_id="111111111111", aws_secret_access_key="x")
    other_sqs = aws.client("sqs", aws_access_key_id="111111111111", aws_secret_access_key="x")
    bus_arn = other.create_event_bus(Name="shared")["EventBusArn"]
    url, arn = make_queue(other_sqs, "inbox")
    other.put_rule(Name="in", EventBusName="shared", EventPattern=json.dumps({"source": ["my.app"]}))
    other.put_targets(Rule="in", EventBusName="shared", Targets=[{"Id": "q", "Arn": arn}])
    refused = events.put_events(Entries=[entry(EventBusName=bus_arn)])
    assert refused["FailedEntryCount"] == 1 and refused["Entries"][0]["ErrorCode"] == "AccessDeniedException"
    other.put_permission(EventBusName="shared", Action="events:PutEvents", Principal=aws.account,
                         StatementId="caller")
    assert events.put_events(Entries=[entry(EventBusName=bus_arn)])["FailedEntryCount"] == 0
    received = bodies(other_sqs, url)
    assert [b["account"] for b in received] == [aws.account]


def test_a_log_group_target_gets_the_event(aws: Harness, events: Any) -> None:
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="/aws/events/orders")
    arn = f"arn:aws:logs:{aws.region}:{aws.account}:log-group:/aws/events/orders"
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["my.app"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "logs", "Arn": arn}])
    event_id = events.put_events(Entries=[entry()])["Entries"][0]["EventId"]
    stored = logs.filter_log_events(logGroupName="/aws/events/orders")["events"]
    assert [json.loads(e["message"])["id"] for e in stored] == [event_id]


def test_an_sns_topic_target_publishes(aws: Harness, events: Any, sqs: Any) -> None:
    sns = aws.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    url, arn = make_queue(sqs, "inbox")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["my.app"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "sns", "Arn": topic}])
    events.put_events(Entries=[entry({"n": 7})])
    assert [b["detail"] for b in bodies(sqs, url)] == [{"n": 7}]


def test_a_failed_delivery_goes_to_the_targets_dead_letter_queue(aws: Harness, events: Any, sqs: Any) -> None:
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    gone = f"arn:aws:sqs:{aws.region}:{aws.account}:gone"
    rule_arn = events.put_rule(Name="r", EventPattern=json.dumps({"source": ["my.app"]}))["RuleArn"]
    events.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": gone, "DeadLetterConfig": {"Arn": dlq_arn}}])
    event_id = events.put_events(Entries=[entry()])["Entries"][0]["EventId"]
    messages = sqs.receive_message(QueueUrl=dlq_url, MessageAttributeNames=["All"])["Messages"]
    assert [json.loads(m["Body"])["id"] for m in messages] == [event_id]
    attributes = {name: value["StringValue"] for name, value in messages[0]["MessageAttributes"].items()}
    assert attributes["RULE_ARN"] == rule_arn and attributes["TARGET_ARN"] == gone
    assert attributes["ERROR_CODE"] and attributes["ERROR_MESSAGE"]


def test_a_bus_target_in_another_region(aws: Harness, events: Any, sqs: Any) -> None:
    west = aws.client("events", region_name="us-west-2")
    west_sqs = aws.client("sqs", region_name="us-west-2")
    url, arn = make_queue(west_sqs, "inbox")
    west.put_rule(Name="in", EventPattern=json.dumps({"source": ["my.app"]}))
    west.put_targets(Rule="in", Targets=[{"Id": "q", "Arn": arn}])
    west_bus = west.describe_event_bus()["Arn"]
    events.put_rule(Name="fwd", EventPattern=json.dumps({"source": ["my.app"]}))
    events.put_targets(Rule="fwd", Targets=[{"Id": "west", "Arn": west_bus,
                                             "RoleArn": f"arn:aws:iam::{aws.account}:role/fwd"}])
    event_id = events.put_events(Entries=[entry()])["Entries"][0]["EventId"]
    received = bodies(west_sqs, url)
    assert [(b["id"], b["region"]) for b in received] == [(event_id, aws.region)]
