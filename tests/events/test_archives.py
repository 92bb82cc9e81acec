"""Archives record a bus's events (with their pattern and retention on the clock); a replay
sends a time window of them to the bus's rules again."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.events.conftest import bodies, entry, error_code, error_message, rule_to_queue
from tests.harness import Harness


def _now(aws: Harness) -> dt.datetime:
    return dt.datetime.fromtimestamp(aws.emulator.clock.time(), dt.timezone.utc)


def test_an_archived_event_is_replayed_to_the_rules(aws: Harness, events: Any, sqs: Any) -> None:
    url = rule_to_queue(events, sqs, "orders", {"source": ["my.app"]})
    bus_arn = events.describe_event_bus()["Arn"]
    archive_arn = events.create_archive(ArchiveName="all", EventSourceArn=bus_arn,
                                        EventPattern=json.dumps({"detail": {"keep": [True]}}))["ArchiveArn"]
    start = _now(aws) - dt.timedelta(seconds=1)
    kept = events.put_events(Entries=[entry({"keep": True})])["Entries"][0]["EventId"]
    events.put_events(Entries=[entry({"keep": False})])
    assert len(bodies(sqs, url)) == 2
    described = events.describe_archive(ArchiveName="all")
    assert described["EventCount"] == 1 and described["SizeBytes"] > 0 and described["State"] == "ENABLED"
    aws.emulator.clock.advance(60)
    out = events.start_replay(ReplayName="again", EventSourceArn=archive_arn, EventStartTime=start,
                              EventEndTime=_now(aws), Destination={"Arn": bus_arn})
    assert out["State"] == "STARTING"
    replayed = bodies(sqs, url)
    assert [event["id"] for event in replayed] == [kept]
    assert replayed[0]["replay-name"] == "again"
    replay = events.describe_replay(ReplayName="again")
    assert replay["State"] == "COMPLETED" and "ReplayEndTime" in replay
    assert [r["ReplayName"] for r in events.list_replays()["Replays"]] == ["again"]
    with pytest.raises(ClientError) as caught:
        events.cancel_replay(ReplayName="again")
    assert error_code(caught) == "IllegalStatusException"


def test_replay_errors(aws: Harness, events: Any) -> None:
    bus_arn = events.describe_event_bus()["Arn"]
    other = events.create_event_bus(Name="other")["EventBusArn"]
    archive_arn = events.create_archive(ArchiveName="a", EventSourceArn=bus_arn)["ArchiveArn"]
    now = _now(aws)
    with pytest.raises(ClientError) as caught:
        events.start_replay(ReplayName="r", EventSourceArn=archive_arn, EventStartTime=now - dt.timedelta(hours=1),
                            EventEndTime=now, Destination={"Arn": other})
    assert error_message(caught) == ("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is "
                                     "not permitted.")
    with pytest.raises(ClientError) as caught:
        events.start_replay(ReplayName="r", EventSourceArn=archive_arn, EventStartTime=now,
                            EventEndTime=now - dt.timedelta(hours=1), Destination={"Arn": bus_arn})
    assert error_code(caught) == "ValidationException"
    with pytest.raises(ClientError) as caught:
        events.create_archive(ArchiveName="a", EventSourceArn=bus_arn)
    assert error_code(caught) == "ResourceAlreadyExistsException"
    with pytest.raises(ClientError) as caught:
        events.describe_archive(ArchiveName="nope")
    assert error_message(caught) == "Archive nope does not exist."


def test_retention_drops_old_events_by_the_clock(aws: Harness, events: Any) -> None:
    bus_arn = events.describe_event_bus()["Arn"]
    events.create_archive(ArchiveName="short", EventSourceArn=bus_arn, RetentionDays=1)
    events.put_events(Entries=[entry()])
    aws.emulator.clock.advance(12 * 3600)
    events.put_events(Entries=[entry()])
    assert events.describe_archive(ArchiveName="short")["EventCount"] == 2
    aws.emulator.clock.advance(13 * 3600)
    view = aws.emulator.service("events").snapshot(aws.account, aws.region)
    assert len(view.archives[0].events) == 1
    assert events.describe_archive(ArchiveName="short")["EventCount"] == 1
    assert events.list_archives()["Archives"][0]["EventCount"] == 1
    events.update_archive(ArchiveName="short", RetentionDays=5, Description="longer", KmsKeyIdentifier="alias/k")
    described = events.describe_archive(ArchiveName="short")
    assert (described["RetentionDays"], described["Description"], described["KmsKeyIdentifier"]) == (
        5, "longer", "alias/k")
    events.delete_archive(ArchiveName="short")
    assert events.list_archives()["Archives"] == []
