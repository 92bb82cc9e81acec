"""Schedules: create / get / update / delete / list, and what CreateSchedule refuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.scheduler.conftest import ROLE, error_of, make_queue, target

ARN = "arn:aws:scheduler:us-east-1:123456789012"
OFF = {"Mode": "OFF"}


def _create(scheduler: Any, name: str, arn: str, expression: str = "cron(0 12 * * ? *)", **members: Any) -> str:
    return str(scheduler.create_schedule(Name=name, ScheduleExpression=expression,
                                         FlexibleTimeWindow=members.pop("FlexibleTimeWindow", OFF),
                                         Target=members.pop("Target", target(arn)), **members)["ScheduleArn"])


def test_create_and_get_with_every_member(scheduler: Any, sqs: Any, aws: Harness) -> None:
    _, queue = make_queue(sqs, "work")
    _, dlq = make_queue(sqs, "dead")
    now = aws.emulator.clock.now().replace(microsecond=0)
    start, end = now + dt.timedelta(hours=1), now + dt.timedelta(days=30)
    scheduler.create_schedule_group(Name="reports")
    arn = _create(scheduler, "weekly", queue, "cron(0 9 ? * MON *)", GroupName="reports",
                  ScheduleExpressionTimezone="Europe/Paris", StartDate=start, EndDate=end,
                  Description="Monday reports", State="DISABLED",
                  KmsKeyArn="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                  FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
                  ActionAfterCompletion="DELETE",
                  Target=target(queue, Input='{"report": "weekly"}', DeadLetterConfig={"Arn": dlq},
                                RetryPolicy={"MaximumRetryAttempts": 3}))
    assert arn == f"{ARN}:schedule/reports/weekly"
    got = scheduler.get_schedule(Name="weekly", GroupName="reports")
    assert got["Arn"] == arn and got["Name"] == "weekly" and got["GroupName"] == "reports"
    assert got["ScheduleExpression"] == "cron(0 9 ? * MON *)"
    assert got["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert got["StartDate"] == start and got["EndDate"] == end
    assert got["Description"] == "Monday reports" and got["State"] == "DISABLED"
    assert got["KmsKeyArn"].endswith(":key/1234abcd-12ab-34cd-56ef-1234567890ab")
    assert got["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert got["ActionAfterCompletion"] == "DELETE"
    assert got["Target"] == {"Arn": queue, "RoleArn": ROLE, "Input": '{"report": "weekly"}',
                             "DeadLetterConfig": {"Arn": dlq},
                             "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 86400}}
    assert got["CreationDate"] == got["LastModificationDate"]


def test_defaults_of_a_minimal_schedule(scheduler: Any, sqs: Any) -> None:
    _, queue = make_queue(sqs, "work")
    _create(scheduler, "minimal", queue)
    got = scheduler.get_schedule(Name="minimal")
    assert got["GroupName"] == "default" and got["State"] == "ENABLED"
    assert got["ScheduleExpressionTimezone"] == "UTC" and got["ActionAfterCompletion"] == "NONE"
    assert got["Target"]["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
    assert "StartDate" not in got and "EndDate" not in got and "Description" not in got


def test_duplicates_retries_and_missing(scheduler: Any, sqs: Any) -> None:
    _, queue = make_queue(sqs, "work")
    first = scheduler.create_schedule(Name="once", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                                      Target=target(queue), ClientToken="token-1")["ScheduleArn"]
    again = scheduler.create_schedule(Name="once", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                                      Target=target(queue), ClientToken="token-1")["ScheduleArn"]
    assert again == first
    with pytest.raises(ClientError) as duplicate:
        _create(scheduler, "once", queue)
    assert error_of(duplicate) == ("ConflictException", "Schedule once already exists.")
    with pytest.raises(ClientError) as missing:
        scheduler.get_schedule(Name="nope")
    assert error_of(missing) == ("ResourceNotFoundException", "Schedule nope does not exist.")
    with pytest.raises(ClientError) as no_group:
        _create(scheduler, "x", queue, GroupName="ghost")
    assert error_of(no_group) == ("ResourceNotFoundException", "Schedule group ghost does not exist.")
    with pytest.raises(ClientError) as wrong_group:
        scheduler.get_schedule(Name="once", GroupName="ghost")
    assert error_of(wrong_group)[0] == "ResourceNotFoundException"


@pytest.mark.parametrize("expression", [
    "rate(0 minutes)", "rate(1 minutes)", "rate(5 minute)", "rate(5 weeks)", "cron(0 12 * * * *)",
    "cron(0 12 * *)", "cron(61 * * * ? *)", "at(2026-02-30T10:00:00)", "at(2026-01-01 10:00:00)",
    "every 5 minutes",
])
def test_invalid_expressions_are_refused(scheduler: Any, sqs: Any, expression: str) -> None:
    _, queue = make_queue(sqs, "work")
    with pytest.raises(ClientError) as refused:
        _create(scheduler, "bad", queue, expression)
    assert error_of(refused) == ("ValidationException", f"Invalid Schedule Expression {expression}.")
    assert scheduler.list_schedules()["Schedules"] == []


def test_other_invalid_members(scheduler: Any, sqs: Any, aws: Harness) -> None:
    _, queue = make_queue(sqs, "work")
    _, fifo = make_queue(sqs, "work.fifo", FifoQueue="true")
    now = aws.emulator.clock.now()
    cases: list[dict[str, Any]] = [
        {"ScheduleExpressionTimezone": "Mars/Olympus"},
        {"FlexibleTimeWindow": {"Mode": "FLEXIBLE"}},
        {"FlexibleTimeWindow": {"Mode": "OFF", "MaximumWindowInMinutes": 5}},
        {"StartDate": now - dt.timedelta(hours=1)},
        {"EndDate": now - dt.timedelta(minutes=1)},
        {"StartDate": now + dt.timedelta(hours=2), "EndDate": now + dt.timedelta(hours=1)},
        {"Target": target(fifo)},
        {"Target": target(queue, DeadLetterConfig={"Arn": fifo})},
        {"Target": target("arn:aws:scheduler:::aws-sdk:sqs:receiveMessage", Input="{}")},
        {"Target": target("arn:aws:scheduler:::aws-sdk:nosuchservice:doThing", Input="{}")},
        {"Target": target("arn:aws:scheduler:::aws-sdk:sqs:noSuchAction", Input="{}")},
        {"Target": target("arn:aws:scheduler:::aws-sdk:sqs:sendMessage", Input="not json")},
        {"Target": target("not-an-arn")},
        {"Target": {"Arn": queue, "RoleArn": "not-a-role"}},
        {"State": "PAUSED"},
    ]
    for members in cases:
        with pytest.raises(ClientError) as refused:
            _create(scheduler, "bad", queue, **members)
        assert error_of(refused)[0] == "ValidationException", members
    assert scheduler.list_schedules()["Schedules"] == []


def test_a_one_time_schedule_ignores_its_dates(scheduler: Any, sqs: Any, aws: Harness) -> None:
    _, queue = make_queue(sqs, "work")
    past = aws.emulator.clock.now() - dt.timedelta(days=2)
    _create(scheduler, "once", queue, "at(2030-01-01T00:00:00)", StartDate=past, EndDate=past)
    assert scheduler.get_schedule(Name="once")["ScheduleExpression"] == "at(2030-01-01T00:00:00)"


def test_update_replaces_the_definition(scheduler: Any, sqs: Any) -> None:
    _, queue = make_queue(sqs, "work")
    _, other = make_queue(sqs, "other")
    _create(scheduler, "job", queue, Description="first", ScheduleExpressionTimezone="Asia/Tokyo")
    created = scheduler.get_schedule(Name="job")
    arn = scheduler.update_schedule(Name="job", ScheduleExpression="rate(2 hours)", FlexibleTimeWindow=OFF,
                                    Target=target(other, Input="x"), State="DISABLED")["ScheduleArn"]
    assert arn == created["Arn"]
    got = scheduler.get_schedule(Name="job")
    assert got["ScheduleExpression"] == "rate(2 hours)" and got["State"] == "DISABLED"
    assert got["Target"]["Arn"] == other and got["Target"]["Input"] == "x"
    # Update is a replacement: members it leaves out go back to their defaults.
    assert "Description" not in got and got["ScheduleExpressionTimezone"] == "UTC"
    assert got["CreationDate"] == created["CreationDate"]
    assert got["LastModificationDate"] >= created["LastModificationDate"]
    with pytest.raises(ClientError) as missing:
        scheduler.update_schedule(Name="nope", ScheduleExpression="rate(2 hours)", FlexibleTimeWindow=OFF,
                                  Target=target(other))
    assert error_of(missing) == ("ResourceNotFoundException", "Schedule nope does not exist.")
    with pytest.raises(ClientError) as invalid:
        scheduler.update_schedule(Name="job", ScheduleExpression="rate(2 hour)", FlexibleTimeWindow=OFF,
                                  Target=target(other))
    assert error_of(invalid)[0] == "ValidationException"
    assert scheduler.get_schedule(Name="job")["ScheduleExpression"] == "rate(2 hours)"


def test_delete(scheduler: Any, sqs: Any) -> None:
    _, queue = make_queue(sqs, "work")
    _create(scheduler, "job", queue)
    scheduler.delete_schedule(Name="job")
    with pytest.raises(ClientError) as gone:
        scheduler.get_schedule(Name="job")
    assert error_of(gone)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as again:
        scheduler.delete_schedule(Name="job")
    assert error_of(again) == ("ResourceNotFoundException", "Schedule job does not exist.")


def test_list_filters_and_pages(scheduler: Any, sqs: Any) -> None:
    _, queue = make_queue(sqs, "work")
    scheduler.create_schedule_group(Name="ops")
    for name in ("alpha", "beta", "alpine"):
        _create(scheduler, name, queue)
    _create(scheduler, "alpha", queue, GroupName="ops", State="DISABLED")
    everything = scheduler.list_schedules()["Schedules"]
    assert [(s["GroupName"], s["Name"]) for s in everything] == [
        ("default", "alpha"), ("default", "alpine"), ("default", "beta"), ("ops", "alpha")]
    summary = everything[0]
    assert summary["Arn"] == f"{ARN}:schedule/default/alpha" and summary["Target"] == {"Arn": queue}
    assert summary["State"] == "ENABLED" and "CreationDate" in summary and "LastModificationDate" in summary
    assert [s["Name"] for s in scheduler.list_schedules(GroupName="ops")["Schedules"]] == ["alpha"]
    assert [s["Name"] for s in scheduler.list_schedules(NamePrefix="alp")["Schedules"]] == ["alpha", "alpine", "alpha"]
    assert [s["GroupName"] for s in scheduler.list_schedules(State="DISABLED")["Schedules"]] == ["ops"]
    seen, token = [], None
    while True:
        page = scheduler.list_schedules(MaxResults=3, **({"NextToken": token} if token else {}))
        seen += [(s["GroupName"], s["Name"]) for s in page["Schedules"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == [(s["GroupName"], s["Name"]) for s in everything]
    with pytest.raises(ClientError) as bad_token:
        scheduler.list_schedules(NextToken="bogus")
    assert error_of(bad_token)[0] == "ValidationException"
    with pytest.raises(ClientError) as missing_group:
        scheduler.list_schedules(GroupName="ghost")
    assert error_of(missing_group)[0] == "ResourceNotFoundException"
