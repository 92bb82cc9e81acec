"""Buses, rules, targets and tags through the API: CRUD, listings with prefixes and pages,
the errors AWS answers, bus policies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.events.conftest import error_code, error_message, make_queue
from tests.harness import Harness

PATTERN = json.dumps({"source": ["my.app"]})


def test_the_default_bus_exists_and_custom_buses_come_and_go(aws: Harness, events: Any) -> None:
    default = events.describe_event_bus()
    assert default["Name"] == "default"
    assert default["Arn"] == f"arn:aws:events:{aws.region}:{aws.account}:event-bus/default"
    arn = events.create_event_bus(Name="orders", Description="d", Tags=[{"Key": "k", "Value": "v"}])["EventBusArn"]
    assert arn.endswith(":event-bus/orders")
    with pytest.raises(ClientError) as caught:
        events.create_event_bus(Name="orders")
    assert error_code(caught) == "ResourceAlreadyExistsException"
    assert error_message(caught) == "Event bus orders already exists."
    assert events.describe_event_bus(Name=arn)["Description"] == "d"
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    assert [b["Name"] for b in events.list_event_buses()["EventBuses"]] == ["default", "orders"]
    assert [b["Name"] for b in events.list_event_buses(NamePrefix="ord")["EventBuses"]] == ["orders"]
    events.update_event_bus(Name="orders", Description="new", LogConfig={"IncludeDetail": "FULL", "Level": "INFO"})
    described = events.describe_event_bus(Name="orders")
    assert described["Description"] == "new" and described["LogConfig"] == {"IncludeDetail": "FULL", "Level": "INFO"}
    events.delete_event_bus(Name="orders")
    with pytest.raises(ClientError) as caught:
        events.describe_event_bus(Name="orders")
    assert error_code(caught) == "ResourceNotFoundException"
    assert error_message(caught) == "Event bus orders does not exist."
    with pytest.raises(ClientError) as caught:
        events.delete_event_bus(Name="default")
    assert error_code(caught) == "ValidationException"


def test_put_describe_and_update_a_rule(aws: Harness, events: Any) -> None:
    arn = events.put_rule(Name="r", EventPattern=PATTERN, Description="first")["RuleArn"]
    assert arn == f"arn:aws:events:{aws.region}:{aws.account}:rule/r"
    described = events.describe_rule(Name="r")
    assert described["EventPattern"] == PATTERN and described["State"] == "ENABLED"
    assert described["EventBusName"] == "default" and described["CreatedBy"] == aws.account
    events.put_rule(Name="r", EventPattern=PATTERN, State="DISABLED")
    described = events.describe_rule(Name="r")
    assert described["State"] == "DISABLED" and "Description" not in described
    events.create_event_bus(Name="orders")
    custom = events.put_rule(Name="r", EventBusName="orders", EventPattern=PATTERN)["RuleArn"]
    assert custom.endswith(":rule/orders/r")


@pytest.mark.parametrize(("kwargs", "code", "message"), [
    ({}, "ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified."),
    ({"EventPattern": "[]"}, "InvalidEventPatternException",
     "Event pattern is not valid. Reason: Filter is not an object"),
    ({"EventPattern": json.dumps({"a": [{"numeric": [">", "x"]}]})}, "InvalidEventPatternException",
     "Event pattern is not valid. Reason: Value of > must be numeric"),
    ({"ScheduleExpression": "rate(0 minutes)"}, "ValidationException", "Parameter ScheduleExpression is not valid."),
    ({"ScheduleExpression": "rate(5 minutes)", "EventBusName": "orders"}, "ValidationException",
     "ScheduleExpression is supported only on the default event bus."),
    ({"EventPattern": PATTERN, "EventBusName": "missing"}, "ResourceNotFoundException",
     "Event bus missing does not exist."),
])
def test_put_rule_errors(events: Any, kwargs: dict[str, Any], code: str, message: str) -> None:
    events.create_event_bus(Name="orders")
    with pytest.raises(ClientError) as caught:
        events.put_rule(Name="r", **kwargs)
    assert error_code(caught) == code
    assert error_message(caught) == message


def test_list_rules_by_prefix_in_pages(events: Any) -> None:
    for name in ("b-2", "a-1", "b-1", "b-3", "c"):
        events.put_rule(Name=name, EventPattern=PATTERN)
    first = events.list_rules(NamePrefix="b-", Limit=2)
    assert [r["Name"] for r in first["Rules"]] == ["b-1", "b-2"]
    second = events.list_rules(NamePrefix="b-", Limit=2, NextToken=first["NextToken"])
    assert [r["Name"] for r in second["Rules"]] == ["b-3"] and "NextToken" not in second
    assert len(events.list_rules()["Rules"]) == 5
    with pytest.raises(ClientError) as caught:
        events.list_rules(NextToken="forged")
    assert error_code(caught) == "ValidationException"


def test_targets_list_remove_and_rule_names_by_target(events: Any, sqs: Any) -> None:
    _, arn = make_queue(sqs, "inbox")
    for name in ("r1", "r2", "r3"):
        events.put_rule(Name=name, EventPattern=PATTERN)
    events.put_targets(Rule="r1", Targets=[{"Id": "a", "Arn": arn}, {"Id": "b", "Arn": arn, "Input": "{}"}])
    events.put_targets(Rule="r3", Targets=[{"Id": "a", "Arn": arn}])
    targets = events.list_targets_by_rule(Rule="r1")["Targets"]
    assert targets == [{"Id": "a", "Arn": arn}, {"Id": "b", "Arn": arn, "Input": "{}"}]
    assert events.list_rule_names_by_target(TargetArn=arn)["RuleNames"] == ["r1", "r3"]
    with pytest.raises(ClientError) as caught:
        events.delete_rule(Name="r1")
    assert error_message(caught) == "Rule can't be deleted since it has targets."
    out = events.remove_targets(Rule="r1", Ids=["a", "b"])
    assert out["FailedEntryCount"] == 0
    events.delete_rule(Name="r1")
    assert events.list_rule_names_by_target(TargetArn=arn)["RuleNames"] == ["r3"]
    with pytest.raises(ClientError) as caught:
        events.describe_rule(Name="r1")
    assert error_code(caught) == "ResourceNotFoundException"
    assert error_message(caught) == "Rule r1 does not exist on EventBus default."


def test_a_rule_holds_at_most_five_targets(events: Any, sqs: Any) -> None:
    _, arn = make_queue(sqs, "inbox")
    events.put_rule(Name="r", EventPattern=PATTERN)
    events.put_targets(Rule="r", Targets=[{"Id": str(i), "Arn": arn} for i in range(5)])
    with pytest.raises(ClientError) as caught:
        events.put_targets(Rule="r", Targets=[{"Id": "6", "Arn": arn}])
    assert error_code(caught) == "LimitExceededException"
    events.put_targets(Rule="r", Targets=[{"Id": "0", "Arn": arn, "Input": "{}"}])  # replaces, not adds
    assert len(events.list_targets_by_rule(Rule="r")["Targets"]) == 5


def test_tags_on_rules(events: Any) -> None:
    arn = events.put_rule(Name="r", EventPattern=PATTERN, Tags=[{"Key": "a", "Value": "1"}])["RuleArn"]
    events.tag_resource(ResourceARN=arn, Tags=[{"Key": "b", "Value": "2"}])
    events.untag_resource(ResourceARN=arn, TagKeys=["a"])
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(ClientError) as caught:
        events.list_tags_for_resource(ResourceARN=arn.replace("rule/r", "rule/nope"))
    assert error_code(caught) == "ResourceNotFoundException"


def test_bus_permissions(aws: Harness, events: Any) -> None:
    events.put_permission(Action="events:PutEvents", Principal="111111111111", StatementId="one")
    events.put_permission(Action="events:PutEvents", Principal="222222222222", StatementId="two")
    policy = json.loads(events.describe_event_bus()["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["one", "two"]
    assert policy["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::111111111111:root"}
    assert policy["Statement"][0]["Resource"] == f"arn:aws:events:{aws.region}:{aws.account}:event-bus/default"
    events.remove_permission(StatementId="one")
    assert [s["Sid"] for s in json.loads(events.describe_event_bus()["Policy"])["Statement"]] == ["two"]
    with pytest.raises(ClientError) as caught:
        events.remove_permission(StatementId="one")
    assert error_code(caught) == "ResourceNotFoundException"
    events.remove_permission(RemoveAllPermissions=True)
    assert "Policy" not in events.describe_event_bus()


def test_test_event_pattern(events: Any) -> None:
    event = json.dumps({"id": "1", "account": "123456789012", "source": "my.app", "time": "2024-01-01T00:00:00Z",
                        "region": "us-east-1", "detail-type": "x", "detail": {"n": 3}})
    assert events.test_event_pattern(EventPattern=json.dumps({"detail": {"n": [3]}}), Event=event)["Result"]
    assert not events.test_event_pattern(EventPattern=json.dumps({"detail": {"n": [4]}}), Event=event)["Result"]
    with pytest.raises(ClientError) as caught:
        events.test_event_pattern(EventPattern=PATTERN, Event=json.dumps({"source": "x"}))
    assert error_message(caught) == "Parameter Event is not valid."
