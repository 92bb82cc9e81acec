"""EventBridge's state view: snapshot -> restore onto a fresh Emulator (rules, targets,
archives with their events, replays, connections, API destinations, and schedules that keep
firing), merge keeping what exists, invalid views changing nothing, secrets redacted."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

import hoarfrost
from hoarfrost.core.views import StateViewError
from tests.events.conftest import bodies, entry, make_queue
from tests.harness import Harness

ACCOUNT, REGION = "123456789012", "us-east-1"


def _populate(events: Any, sqs: Any) -> dict[str, str]:
    _, queue = make_queue(sqs, "inbox")
    events.create_event_bus(Name="orders", Tags=[{"Key": "team", "Value": "shop"}])
    events.put_rule(Name="big", EventBusName="orders", EventPattern=json.dumps({"detail": {"n": [{"numeric": [">", 5]}]}}))
    events.put_targets(Rule="big", EventBusName="orders", Targets=[
        {"Id": "q", "Arn": queue, "InputTransformer": {"InputPathsMap": {"n": "$.detail.n"},
                                                       "InputTemplate": '{"n": <n>}'}}])
    events.put_rule(Name="tick", ScheduleExpression="rate(1 hour)")
    events.put_targets(Rule="tick", Targets=[{"Id": "q", "Arn": queue, "Input": '"tick"'}])
    bus = events.describe_event_bus(Name="orders")["Arn"]
    events.create_archive(ArchiveName="orders", EventSourceArn=bus, RetentionDays=3)
    events.put_events(Entries=[entry({"n": 9}, EventBusName="orders")])
    connection = events.create_connection(Name="c", AuthorizationType="BASIC", AuthParameters={
        "BasicAuthParameters": {"Username": "u", "Password": "secret-pw"}})["ConnectionArn"]
    events.create_api_destination(Name="d", ConnectionArn=connection, InvocationEndpoint="https://example.com/x",
                                  HttpMethod="POST")
    events.put_permission(EventBusName="orders", Action="events:PutEvents", Principal="111111111111",
                          StatementId="s")
    return {"queue": queue}


def _fresh() -> tuple[Any, Any, Any]:
    mock = hoarfrost.mock_aws()
    emulator = mock.__enter__()
    session = boto3.session.Session(aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x",
                                    region_name=REGION)
    return mock, emulator, session


def test_round_trip_onto_a_fresh_emulator(aws: Harness, events: Any, sqs: Any) -> None:
    _populate(events, sqs)
    bodies(sqs, sqs.get_queue_url(QueueName="inbox")["QueueUrl"])
    service = aws.emulator.service("events")
    view = service.snapshot(aws.account, aws.region, secrets=True)
    document = json.loads(view.model_dump_json())
    assert {b["name"] for b in document["event_buses"]} == {"default", "orders"}
    assert len(document["archives"][0]["events"]) == 1
    sqs_view = aws.emulator.service("sqs").snapshot(aws.account, aws.region)

    mock, emulator, session = _fresh()
    try:
        emulator.service("sqs").restore(aws.account, aws.region, sqs_view)
        emulator.service("events").restore(aws.account, aws.region, document)
        again = emulator.service("events").snapshot(aws.account, aws.region, secrets=True)
        assert json.loads(again.model_dump_json()) == document
        client = session.client("events")
        queue_client = session.client("sqs")
        assert client.list_targets_by_rule(Rule="big", EventBusName="orders")["Targets"][0]["Id"] == "q"
        assert client.describe_archive(ArchiveName="orders")["EventCount"] == 1
        client.put_events(Entries=[entry({"n": 7}, EventBusName="orders")])
        url = queue_client.get_queue_url(QueueName="inbox")["QueueUrl"]
        assert bodies(queue_client, url) == [{"n": 7}]
        emulator.clock.advance(3601)
        assert bodies(queue_client, url) == ["tick"]
    finally:
        mock.__exit__(None, None, None)


def test_secrets_are_left_out_unless_asked_for(aws: Harness, events: Any, sqs: Any) -> None:
    _populate(events, sqs)
    service = aws.emulator.service("events")
    assert "secret-pw" not in service.snapshot(aws.account, aws.region).model_dump_json()
    assert "secret-pw" in service.snapshot(aws.account, aws.region, secrets=True).model_dump_json()


def test_merge_keeps_what_exists(aws: Harness, events: Any, sqs: Any) -> None:
    _populate(events, sqs)
    service = aws.emulator.service("events")
    service.merge(aws.account, aws.region, {"event_buses": [
        {"name": "orders", "description": "merged", "rules": [
            {"name": "new", "event_pattern": json.dumps({"source": ["x"]}),
             "targets": [{"id": "t", "arn": "arn:aws:sqs:us-east-1:123456789012:other"}]}]},
        {"name": "added"}]})
    assert events.describe_event_bus(Name="orders")["Description"] == "merged"
    assert sorted(r["Name"] for r in events.list_rules(EventBusName="orders")["Rules"]) == ["big", "new"]
    assert events.list_targets_by_rule(Rule="big", EventBusName="orders")["Targets"][0]["Id"] == "q"
    assert events.list_targets_by_rule(Rule="new", EventBusName="orders")["Targets"] == [
        {"Id": "t", "Arn": "arn:aws:sqs:us-east-1:123456789012:other"}]
    assert {b["Name"] for b in events.list_event_buses()["EventBuses"]} == {"default", "orders", "added"}
    assert events.describe_archive(ArchiveName="orders")["EventCount"] == 1


@pytest.mark.parametrize("bad", [
    {"event_buses": [{"name": "b", "rules": [{"name": "r", "event_pattern": "[]"}]}]},
    {"event_buses": [{"name": "b", "rules": [{"name": "r", "schedule_expression": "rate(1 minute)"}]}]},
    {"event_buses": [{"name": "default", "rules": [{"name": "r", "schedule_expression": "rate(0 x)"}]}]},
    {"event_buses": [{"name": "b"}, {"name": "b"}]},
    {"event_buses": [{"name": "b", "rules": [{"name": "r", "event_pattern": "{\"a\": [1]}",
                                               "targets": [{"id": "t", "arn": "x"}, {"id": "t", "arn": "y"}]}]}]},
    {"connections": [{"name": "c", "arn": "arn:aws:events:us-east-1:1:connection/c/1", "authorization_type": "X"}]},
    {"event_buses": [{"name": "b", "surprise": 1}]},
    {"event_buses": [{"name": "b", "policy": "not a policy"}]},
])
def test_a_rejected_view_changes_nothing(aws: Harness, events: Any, sqs: Any, bad: dict[str, Any]) -> None:
    _populate(events, sqs)
    service = aws.emulator.service("events")
    before = service.snapshot(aws.account, aws.region, secrets=True).model_dump_json()
    for apply in (service.restore, service.merge):
        with pytest.raises(StateViewError) as caught:
            apply(aws.account, aws.region, bad)
        assert caught.value.kind == "invalid"
    assert service.snapshot(aws.account, aws.region, secrets=True).model_dump_json() == before


def test_a_restore_replaces_schedules(aws: Harness, events: Any, sqs: Any) -> None:
    url, queue = make_queue(sqs, "ticks")
    events.put_rule(Name="tick", ScheduleExpression="rate(1 minute)")
    events.put_targets(Rule="tick", Targets=[{"Id": "q", "Arn": queue}])
    aws.emulator.service("events").restore(aws.account, aws.region, {})
    aws.emulator.clock.advance(600)
    assert bodies(sqs, url) == []
    assert [b["Name"] for b in events.list_event_buses()["EventBuses"]] == ["default"]


def test_json_schema_is_published(aws: Harness) -> None:
    schema = aws.emulator.service("events").json_schema()
    assert {"event_buses", "archives", "replays", "connections", "api_destinations"} <= set(schema["properties"])
