"""Scheduler's state view: snapshot -> restore onto a fresh emulator (and the schedules fire
there), merge keeps what exists, a rejected view changes nothing, notifications."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import boto3
import pytest

import hoarfrost
from hoarfrost.core.views import StateChange, StateViewError
from hoarfrost.services.scheduler.views import SchedulerStateView
from tests.harness import Harness
from tests.scheduler.conftest import ROLE, bodies, make_queue, target

ACCOUNT, REGION = "123456789012", "us-east-1"
OFF = {"Mode": "OFF"}
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:inbox"


def _populate(aws: Harness) -> dict[str, Any]:
    scheduler, sqs = aws.client("scheduler"), aws.client("sqs")
    make_queue(sqs, "inbox")
    _, dlq = make_queue(sqs, "dlq")
    scheduler.create_schedule_group(Name="team", Tags=[{"Key": "owner", "Value": "ops"}])
    now = aws.emulator.clock.now().replace(microsecond=0)
    scheduler.create_schedule(
        Name="hourly", GroupName="team", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
        StartDate=now + dt.timedelta(minutes=30), EndDate=now + dt.timedelta(days=7), Description="every hour",
        KmsKeyArn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/abc-123",
        Target=target(QUEUE, Input="hourly", DeadLetterConfig={"Arn": dlq}, RetryPolicy={"MaximumRetryAttempts": 4}))
    scheduler.create_schedule(
        Name="morning", ScheduleExpression="cron(0 9 ? * MON-FRI *)", ScheduleExpressionTimezone="Europe/Berlin",
        FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 30}, State="DISABLED",
        Target=target(QUEUE, SqsParameters={"MessageGroupId": "g"}))
    scheduler.create_schedule(Name="later", ScheduleExpression="at(2035-05-05T05:05:00)", FlexibleTimeWindow=OFF,
                              ActionAfterCompletion="DELETE", Target=target(QUEUE, Input="later"))
    return {"start": now + dt.timedelta(minutes=30)}


def _definitions(scheduler: Any) -> dict[str, Any]:
    out = {}
    for summary in scheduler.list_schedules()["Schedules"]:
        got = scheduler.get_schedule(Name=summary["Name"], GroupName=summary["GroupName"])
        got.pop("ResponseMetadata")
        out[got["Arn"]] = got
    return out


def test_snapshot_restores_onto_a_fresh_emulator_and_fires_there(aws: Harness) -> None:
    dates = _populate(aws)
    scheduler = aws.client("scheduler")
    before = _definitions(scheduler)
    view = aws.emulator.service("scheduler").snapshot(aws.account, aws.region)
    assert isinstance(view, SchedulerStateView)
    text = view.model_dump_json()
    data = json.loads(text)
    groups = {g["name"]: g for g in data["schedule_groups"]}
    assert set(groups) == {"default", "team"} and groups["team"]["tags"] == {"owner": "ops"}
    hourly = groups["team"]["schedules"][0]
    assert hourly["target"]["role_arn"] == ROLE and hourly["target"]["retry_policy"]["maximum_retry_attempts"] == 4
    assert hourly["schedule_expression"] == "rate(1 hour)"

    with hoarfrost.mock_aws() as fresh:
        fresh.service("scheduler").restore(ACCOUNT, REGION, text)
        scheduler2 = boto3.client("scheduler", region_name=REGION)
        sqs2 = boto3.client("sqs", region_name=REGION)
        assert _definitions(scheduler2) == before
        tags = scheduler2.list_tags_for_resource(ResourceArn=f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule-group/team")
        assert tags["Tags"] == [{"Key": "owner", "Value": "ops"}]
        url, _ = make_queue(sqs2, "inbox")
        # The restored rate schedule fires at its start date, on the fresh emulator's clock.
        fresh.clock.advance((dates["start"] - fresh.clock.now()).total_seconds() + 1)
        assert bodies(sqs2, url) == ["hourly"]
        again = fresh.service("scheduler").snapshot(ACCOUNT, REGION)
        team = next(g for g in again.schedule_groups if g.name == "team")
        assert team.schedules[0].last_invocation is not None


def test_a_one_time_schedule_that_ran_does_not_run_again_after_restore(inprocess: Harness) -> None:
    scheduler, sqs = inprocess.client("scheduler"), inprocess.client("sqs")
    url, queue = make_queue(sqs, "once")
    when = inprocess.emulator.clock.now() + dt.timedelta(minutes=1)
    scheduler.create_schedule(Name="once", ScheduleExpression=f"at({when.strftime('%Y-%m-%dT%H:%M:%S')})",
                              FlexibleTimeWindow=OFF, Target=target(queue, Input="ran"))
    inprocess.emulator.clock.advance(120)
    assert bodies(sqs, url) == ["ran"]
    service = inprocess.emulator.service("scheduler")
    service.restore(ACCOUNT, REGION, service.snapshot(ACCOUNT, REGION).model_dump_json())
    inprocess.emulator.clock.advance(120)
    assert bodies(sqs, url) == []
    # A one-time schedule that has not run yet runs after a restore, even once its moment passed.
    scheduler.update_schedule(Name="once", ScheduleExpression=f"at({when.strftime('%Y-%m-%dT%H:%M:%S')})",
                              FlexibleTimeWindow=OFF, Target=target(queue, Input="again"))
    inprocess.emulator.clock.advance(1)
    assert bodies(sqs, url) == ["again"]


def test_restore_replaces_and_stops_the_old_schedules(inprocess: Harness) -> None:
    scheduler, sqs = inprocess.client("scheduler"), inprocess.client("sqs")
    url, queue = make_queue(sqs, "ticks")
    scheduler.create_schedule(Name="tick", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow=OFF,
                              Target=target(queue, Input="old"))
    inprocess.emulator.clock.advance(1)
    assert bodies(sqs, url) == ["old"]
    inprocess.emulator.service("scheduler").restore(ACCOUNT, REGION, {"schedule_groups": []})
    inprocess.emulator.clock.advance(600)
    assert bodies(sqs, url) == []
    assert [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]] == ["default"]
    assert scheduler.list_schedules()["Schedules"] == []


def test_merge_keeps_what_exists(aws: Harness) -> None:
    scheduler, sqs = aws.client("scheduler"), aws.client("sqs")
    url, queue = make_queue(sqs, "inbox")
    scheduler.create_schedule_group(Name="kept", Tags=[{"Key": "k", "Value": "v"}])
    scheduler.create_schedule(Name="kept", GroupName="kept", ScheduleExpression="cron(0 1 1 1 ? 2090)",
                              FlexibleTimeWindow=OFF, Target=target(queue))
    scheduler.create_schedule(Name="changed", ScheduleExpression="cron(0 1 * * ? *)", FlexibleTimeWindow=OFF,
                              Target=target(queue))
    now = aws.emulator.clock.now().isoformat()
    schedule = {"name": "changed", "schedule_expression": "rate(1 day)", "creation_date": now,
                "last_modification_date": now, "target": {"arn": queue, "role_arn": ROLE, "input": "merged"},
                "flexible_time_window": {"mode": "OFF"}}
    aws.emulator.service("scheduler").merge(aws.account, aws.region, {"schedule_groups": [
        {"name": "default", "creation_date": now, "last_modification_date": now, "schedules": [schedule]},
        {"name": "added", "creation_date": now, "last_modification_date": now,
         "schedules": [{**schedule, "name": "new", "target": {"arn": queue, "role_arn": ROLE, "input": "added"}}]},
    ]})
    groups = [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]]
    assert groups == ["added", "default", "kept"]
    assert scheduler.get_schedule(Name="kept", GroupName="kept")["ScheduleExpression"] == "cron(0 1 1 1 ? 2090)"
    assert scheduler.list_tags_for_resource(
        ResourceArn=f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule-group/kept")["Tags"] == [{"Key": "k", "Value": "v"}]
    assert scheduler.get_schedule(Name="changed")["ScheduleExpression"] == "rate(1 day)"
    assert scheduler.get_schedule(Name="new", GroupName="added")["Target"]["Input"] == "added"
    # Merged schedules are armed: both rates count from when they were last written.
    aws.emulator.clock.advance(86400 - 60)
    assert bodies(sqs, url) == []
    aws.emulator.clock.advance(120)
    assert sorted(bodies(sqs, url)) == ["added", "merged"]


def test_a_view_without_the_default_group_leaves_it_alone_on_merge(inprocess: Harness) -> None:
    scheduler, sqs = inprocess.client("scheduler"), inprocess.client("sqs")
    _, queue = make_queue(sqs, "inbox")
    scheduler.create_schedule(Name="mine", ScheduleExpression="cron(0 1 * * ? *)", FlexibleTimeWindow=OFF,
                              Target=target(queue))
    now = inprocess.emulator.clock.now().isoformat()
    inprocess.emulator.service("scheduler").merge(ACCOUNT, REGION, {"schedule_groups": [
        {"name": "other", "creation_date": now, "last_modification_date": now}]})
    assert [s["Name"] for s in scheduler.list_schedules()["Schedules"]] == ["mine"]


@pytest.mark.parametrize("view", [
    {"schedule_groups": [{"name": "bad name!", "creation_date": "2026-01-01T00:00:00Z",
                          "last_modification_date": "2026-01-01T00:00:00Z"}]},
    {"schedule_groups": [{"name": "g", "creation_date": "2026-01-01T00:00:00Z",
                          "last_modification_date": "2026-01-01T00:00:00Z"}] * 2},
    {"schedule_groups": [{"name": "g", "creation_date": "2026-01-01T00:00:00Z",
                          "last_modification_date": "2026-01-01T00:00:00Z", "schedules": [{
                              "name": "s", "schedule_expression": "rate(1 minutes)",
                              "creation_date": "2026-01-01T00:00:00Z", "last_modification_date": "2026-01-01T00:00:00Z",
                              "target": {"arn": QUEUE, "role_arn": ROLE}, "flexible_time_window": {"mode": "OFF"}}]}]},
    {"schedule_groups": [{"name": "g", "creation_date": "2026-01-01T00:00:00Z",
                          "last_modification_date": "2026-01-01T00:00:00Z", "schedules": [{
                              "name": "s", "schedule_expression": "rate(1 minute)",
                              "schedule_expression_timezone": "Nowhere/Land",
                              "creation_date": "2026-01-01T00:00:00Z", "last_modification_date": "2026-01-01T00:00:00Z",
                              "target": {"arn": QUEUE, "role_arn": ROLE}, "flexible_time_window": {"mode": "OFF"}}]}]},
    {"schedule_groups": [{"name": "g", "creation_date": "2026-01-01T00:00:00Z",
                          "last_modification_date": "2026-01-01T00:00:00Z", "schedules": [{
                              "name": "s", "schedule_expression": "rate(1 minute)", "state": "PAUSED",
                              "creation_date": "2026-01-01T00:00:00Z", "last_modification_date": "2026-01-01T00:00:00Z",
                              "target": {"arn": QUEUE, "role_arn": ROLE}, "flexible_time_window": {"mode": "OFF"}}]}]},
    {"schedule_groups": [{"name": "g", "creation_date": "2026-01-01T00:00:00Z",
                          "last_modification_date": "2026-01-01T00:00:00Z", "schedules": [{
                              "name": "s", "schedule_expression": "rate(1 minute)",
                              "creation_date": "2026-01-01T00:00:00Z", "last_modification_date": "2026-01-01T00:00:00Z",
                              "target": {"arn": QUEUE}, "flexible_time_window": {"mode": "OFF"}}]}]},
    {"schedule_groups": [{"name": "g", "creation_date": "2026-01-01T00:00:00Z",
                          "last_modification_date": "2026-01-01T00:00:00Z", "schedules": [{
                              "name": "s", "schedule_expression": "rate(1 minute)",
                              "creation_date": "2026-01-01T00:00:00Z", "last_modification_date": "2026-01-01T00:00:00Z",
                              "target": {"arn": QUEUE, "role_arn": ROLE, "unknown": 1},
                              "flexible_time_window": {"mode": "OFF"}}]}]},
    {"schedule_groups": [{"name": "g"}]},  # no dates
    {"schedule_groups": [{"name": "g", "creation_date": "2026-01-01T00:00:00Z",
                          "last_modification_date": "2026-01-01T00:00:00Z", "extra": True}]},
    {"schema_version": 99},
])
def test_invalid_view_changes_nothing(inprocess: Harness, view: dict[str, Any]) -> None:
    scheduler, sqs = inprocess.client("scheduler"), inprocess.client("sqs")
    _, queue = make_queue(sqs, "inbox")
    scheduler.create_schedule_group(Name="existing")
    scheduler.create_schedule(Name="s", ScheduleExpression="cron(0 1 * * ? *)", FlexibleTimeWindow=OFF,
                              Target=target(queue))
    service = inprocess.emulator.service("scheduler")
    before = service.snapshot(ACCOUNT, REGION).model_dump()
    for operation in (service.restore, service.merge):
        with pytest.raises(StateViewError) as exc_info:
            operation(ACCOUNT, REGION, view)
        assert exc_info.value.kind == "invalid"
    assert service.snapshot(ACCOUNT, REGION).model_dump() == before


def test_notifications_follow_mutations(aws: Harness) -> None:
    scheduler, sqs = aws.client("scheduler"), aws.client("sqs")
    _, queue = make_queue(sqs, "inbox")
    changes: list[StateChange] = []
    when = (aws.emulator.clock.now() + dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")
    with aws.emulator.service("scheduler").notifier.subscribe(changes.append):
        scheduler.create_schedule_group(Name="g")
        scheduler.get_schedule_group(Name="g")
        scheduler.list_schedule_groups()
        scheduler.create_schedule(Name="s", ScheduleExpression=f"at({when})", FlexibleTimeWindow=OFF,
                                  ActionAfterCompletion="DELETE", Target=target(queue))
        scheduler.list_schedules()
        aws.emulator.clock.advance(600)
        assert [change.operation for change in changes] == ["CreateScheduleGroup", "CreateSchedule", "DeleteSchedule"]
        assert all(isinstance(change.view(), SchedulerStateView) for change in changes)
        # An invocation that keeps the schedule is a change too: its last invocation moved.
        scheduler.create_schedule(Name="daily", ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF,
                                  Target=target(queue))
        aws.emulator.clock.advance(1)
        # (The invocation is due at once: the timer thread may report it before the request does.)
        assert sorted(change.operation for change in changes[3:]) == ["CreateSchedule", "InvokeSchedule"]
        [group] = [g for g in changes[-1].view().schedule_groups if g.name == "default"]
        assert group.schedules[0].last_invocation is not None


def test_the_json_schema_names_the_published_fields() -> None:
    schema = SchedulerStateView.model_json_schema()
    definitions = schema["$defs"]
    assert "schedule_groups" in schema["properties"]
    schedule = next(d for name, d in definitions.items() if name == "ScheduleView")
    for field in ("name", "schedule_expression", "schedule_expression_timezone", "start_date", "end_date", "state",
                  "target", "flexible_time_window", "action_after_completion", "kms_key_arn", "last_invocation"):
        assert field in schedule["properties"], field
    target = next(d for name, d in definitions.items() if name.endswith("TargetView"))
    assert {"arn", "role_arn", "input", "retry_policy", "dead_letter_config", "sqs_parameters"} <= set(target["properties"])
