"""Scheduled rules fire on the emulator clock: ``aws.emulator.clock.advance`` runs every
occurrence it spans before it returns."""

from __future__ import annotations

import json
from typing import Any

from tests.events.conftest import bodies, drain, make_queue
from tests.harness import Harness


def test_a_rate_rule_fires_into_sqs_when_the_clock_moves(aws: Harness, events: Any, sqs: Any) -> None:
    url, arn = make_queue(sqs, "ticks")
    rule_arn = events.put_rule(Name="every-5", ScheduleExpression="rate(5 minutes)")["RuleArn"]
    events.put_targets(Rule="every-5", Targets=[{"Id": "q", "Arn": arn}])
    aws.emulator.clock.advance(299)
    assert drain(sqs, url) == []
    aws.emulator.clock.advance(2)
    received = bodies(sqs, url)
    assert len(received) == 1
    event = received[0]
    assert event["source"] == "aws.events" and event["detail-type"] == "Scheduled Event"
    assert event["resources"] == [rule_arn] and event["detail"] == {}
    aws.emulator.clock.advance(15 * 60)
    assert len(drain(sqs, url)) == 3


def test_a_cron_rule_fires_at_its_minutes(aws: Harness, events: Any, sqs: Any) -> None:
    url, arn = make_queue(sqs, "ticks")
    events.put_rule(Name="hourly", ScheduleExpression="cron(0 * * * ? *)")
    events.put_targets(Rule="hourly", Targets=[{"Id": "q", "Arn": arn, "Input": json.dumps({"tick": 1})}])
    aws.emulator.clock.advance(2 * 3600 + 1)
    received = bodies(sqs, url)
    assert received == [{"tick": 1}, {"tick": 1}]


def test_disabled_and_deleted_schedules_stop(aws: Harness, events: Any, sqs: Any) -> None:
    url, arn = make_queue(sqs, "ticks")
    events.put_rule(Name="r", ScheduleExpression="rate(1 minute)")
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn}])
    events.disable_rule(Name="r")
    aws.emulator.clock.advance(600)
    assert drain(sqs, url) == []
    events.enable_rule(Name="r")
    aws.emulator.clock.advance(61)
    assert len(drain(sqs, url)) >= 1
    events.remove_targets(Rule="r", Ids=["q"])
    events.delete_rule(Name="r")
    aws.emulator.clock.advance(600)
    assert drain(sqs, url) == []
