"""Schedules invoking their targets as the emulator's clock moves: rate, cron in a time zone,
one-time schedules, start and end dates, disabling, templated and universal targets, retries and
dead-letter queues."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any

import pytest
from botocore.exceptions import ClientError

from hoarfrost.services.scheduler import firing
from hoarfrost.services.scheduler.targets import TargetError
from tests.harness import Harness
from tests.scheduler.conftest import bodies, drain, error_of, make_queue, target

OFF = {"Mode": "OFF"}
UTC = dt.timezone.utc


def _at(moment: dt.datetime) -> str:
    return f"at({moment.strftime('%Y-%m-%dT%H:%M:%S')})"


def test_a_rate_schedule_fires_into_sqs_as_the_clock_moves(aws: Harness, scheduler: Any, sqs: Any) -> None:
    url, queue = make_queue(sqs, "ticks")
    scheduler.create_schedule(Name="tick", ScheduleExpression="rate(5 minutes)", FlexibleTimeWindow=OFF,
                              Target=target(queue, Input="tick <aws.scheduler.scheduled-time>"))
    created = aws.emulator.clock.now()
    aws.emulator.clock.advance(11 * 60)
    received = bodies(sqs, url)
    # A rate schedule without a start date starts at once, then every five minutes.
    assert len(received) == 3
    moments = [dt.datetime.strptime(body.split(" ", 1)[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
               for body in received]
    assert sorted(moments) == moments
    assert [round((m - moments[0]).total_seconds()) for m in moments] == [0, 300, 600]
    assert abs((moments[0] - created).total_seconds()) < 2
    aws.emulator.clock.advance(5 * 60)
    assert len(bodies(sqs, url)) == 1


def test_every_missed_invocation_runs_after_a_long_jump(aws: Harness, scheduler: Any, sqs: Any) -> None:
    url, queue = make_queue(sqs, "minutes")
    scheduler.create_schedule(Name="minutely", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow=OFF,
                              Target=target(queue, Input="<aws.scheduler.execution-id>"))
    aws.emulator.clock.advance(10 * 60 + 30)
    received = bodies(sqs, url)
    assert len(received) == 11
    assert len(set(received)) == 11  # every invocation has its own execution id


def test_a_one_time_schedule_deletes_itself_after_running(aws: Harness, scheduler: Any, sqs: Any) -> None:
    url, queue = make_queue(sqs, "once")
    when = (aws.emulator.clock.now() + dt.timedelta(minutes=10)).replace(microsecond=0)
    scheduler.create_schedule(Name="reminder", ScheduleExpression=_at(when), FlexibleTimeWindow=OFF,
                              ActionAfterCompletion="DELETE", Target=target(queue, Input='{"remind": true}'))
    aws.emulator.clock.advance(9 * 60)
    assert bodies(sqs, url) == []
    assert scheduler.get_schedule(Name="reminder")["ActionAfterCompletion"] == "DELETE"
    aws.emulator.clock.advance(2 * 60)
    assert bodies(sqs, url) == ['{"remind": true}']
    with pytest.raises(ClientError) as gone:
        scheduler.get_schedule(Name="reminder")
    assert error_of(gone) == ("ResourceNotFoundException", "Schedule reminder does not exist.")


def test_a_one_time_schedule_without_delete_stays_and_runs_once(aws: Harness, scheduler: Any, sqs: Any) -> None:
    url, queue = make_queue(sqs, "once")
    when = aws.emulator.clock.now() + dt.timedelta(minutes=3)
    scheduler.create_schedule(Name="once", ScheduleExpression=_at(when), FlexibleTimeWindow=OFF,
                              Target=target(queue, Input="ran"))
    aws.emulator.clock.advance(3600)
    assert bodies(sqs, url) == ["ran"]
    aws.emulator.clock.advance(3600)
    assert bodies(sqs, url) == []
    assert scheduler.get_schedule(Name="once")["State"] == "ENABLED"


def test_a_one_time_schedule_in_a_time_zone(aws: Harness, scheduler: Any, sqs: Any) -> None:
    url, queue = make_queue(sqs, "tokyo")
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    local = (aws.emulator.clock.now() + dt.timedelta(hours=2)).astimezone(tokyo).replace(tzinfo=None)
    scheduler.create_schedule(Name="tokyo", ScheduleExpression=_at(local), ScheduleExpressionTimezone="Asia/Tokyo",
                              FlexibleTimeWindow=OFF, Target=target(queue, Input="<aws.scheduler.scheduled-time>"))
    aws.emulator.clock.advance(2 * 3600 - 60)
    assert bodies(sqs, url) == []  # 2 hours from now in Tokyo: read as UTC it would be 9 hours off
    aws.emulator.clock.advance(120)
    expected = local.replace(microsecond=0, tzinfo=tokyo).astimezone(UTC)
    assert bodies(sqs, url) == [expected.strftime("%Y-%m-%dT%H:%M:%SZ")]


def test_a_cron_schedule_runs_in_its_time_zone(aws: Harness, scheduler: Any, sqs: Any) -> None:
    url, queue = make_queue(sqs, "morning")
    scheduler.create_schedule(Name="morning", ScheduleExpression="cron(30 9 * * ? *)",
                              ScheduleExpressionTimezone="America/New_York", FlexibleTimeWindow=OFF,
                              Target=target(queue, Input="<aws.scheduler.scheduled-time>"))
    now = aws.emulator.clock.now()
    new_york = zoneinfo.ZoneInfo("America/New_York")
    local = now.astimezone(new_york)
    expected = local.replace(hour=9, minute=30, second=0, microsecond=0)
    if expected <= local:
        expected = (local + dt.timedelta(days=1)).replace(hour=9, minute=30, second=0, microsecond=0)
    expected_utc = expected.astimezone(UTC)
    aws.emulator.clock.advance((expected_utc - now).total_seconds() - 30)
    assert bodies(sqs, url) == []
    aws.emulator.clock.advance(60)
    assert bodies(sqs, url) == [expected_utc.strftime("%Y-%m-%dT%H:%M:%SZ")]
    # 09:30 in New York is 13:30 or 14:30 UTC, never 09:30 UTC.
    assert expected_utc.hour in (13, 14)


def test_start_and_end_dates_bound_a_schedule(aws: Harness, scheduler: Any, sqs: Any) -> None:
    url, queue = make_queue(sqs, "bounded")
    now = aws.emulator.clock.now().replace(microsecond=0)
    scheduler.create_schedule(Name="bounded", ScheduleExpression="rate(10 minutes)", FlexibleTimeWindow=OFF,
                              StartDate=now + dt.timedelta(hours=1), EndDate=now + dt.timedelta(hours=1, minutes=25),
                              ActionAfterCompletion="DELETE", Target=target(queue, Input="in window"))
    aws.emulator.clock.advance(59 * 60)
    assert bodies(sqs, url) == []
    aws.emulator.clock.advance(60 * 60)
    assert bodies(sqs, url) == ["in window"] * 3  # at the start, +10 and +20 minutes
    with pytest.raises(ClientError):
        scheduler.get_schedule(Name="bounded")  # deleted after its last invocation


def test_disabled_schedules_do_not_fire_until_enabled(aws: Harness, scheduler: Any, sqs: Any) -> None:
    url, queue = make_queue(sqs, "paused")
    scheduler.create_schedule(Name="paused", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow=OFF,
                              State="DISABLED", Target=target(queue, Input="on"))
    aws.emulator.clock.advance(600)
    assert bodies(sqs, url) == []
    scheduler.update_schedule(Name="paused", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow=OFF,
                              State="ENABLED", Target=target(queue, Input="on"))
    aws.emulator.clock.advance(90)
    assert bodies(sqs, url) == ["on", "on"]


def test_deleted_schedules_and_groups_stop_firing(aws: Harness, scheduler: Any, sqs: Any) -> None:
    url, queue = make_queue(sqs, "stopping")
    scheduler.create_schedule_group(Name="temp")
    for group in ("default", "temp"):
        scheduler.create_schedule(Name="tick", GroupName=group, ScheduleExpression="rate(1 minute)",
                                  FlexibleTimeWindow=OFF, Target=target(queue, Input=group))
    aws.emulator.clock.advance(30)
    assert sorted(bodies(sqs, url)) == ["default", "temp"]
    scheduler.delete_schedule(Name="tick")
    scheduler.delete_schedule_group(Name="temp")
    aws.emulator.clock.advance(600)
    assert bodies(sqs, url) == []


def test_fifo_queue_target_with_message_group(aws: Harness, scheduler: Any, sqs: Any) -> None:
    url, queue = make_queue(sqs, "orders.fifo", FifoQueue="true")
    scheduler.create_schedule(Name="fifo", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                              Target=target(queue, Input="first", SqsParameters={"MessageGroupId": "g-1"}))
    aws.emulator.clock.advance(3600 + 1)
    messages = drain(sqs, url)
    assert [m["Body"] for m in messages] == ["first", "first"]
    assert {m["Attributes"]["MessageGroupId"] for m in messages} == {"g-1"}


def test_sns_topic_target(aws: Harness, scheduler: Any, sqs: Any) -> None:
    sns = aws.client("sns")
    url, queue = make_queue(sqs, "subscriber")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"})
    scheduler.create_schedule(Name="alert", ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF,
                              Target=target(topic, Input="wake up"))
    aws.emulator.clock.advance(1)
    assert bodies(sqs, url) == ["wake up"]


def test_universal_target_calls_the_api(aws: Harness, scheduler: Any, sqs: Any) -> None:
    url, _ = make_queue(sqs, "sdk")
    params = {"QueueUrl": url, "MessageBody": "attempt <aws.scheduler.attempt-number>",
              "MessageAttributes": {"origin": {"DataType": "String", "StringValue": "scheduler"}}}
    scheduler.create_schedule(Name="sdk", ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF,
                              Target=target("arn:aws:scheduler:::aws-sdk:sqs:sendMessage", Input=json.dumps(params)))
    aws.emulator.clock.advance(1)
    messages = drain(sqs, url)
    assert [m["Body"] for m in messages] == ["attempt 1"]
    assert messages[0]["MessageAttributes"]["origin"]["StringValue"] == "scheduler"


def test_a_failed_target_goes_to_the_dead_letter_queue(aws: Harness, scheduler: Any, sqs: Any) -> None:
    dlq_url, dlq = make_queue(sqs, "dead-letters")
    missing = f"arn:aws:sqs:us-east-1:{aws.account}:does-not-exist"
    arn = scheduler.create_schedule(Name="broken", ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF,
                                    Target=target(missing, Input='{"job": 7}', DeadLetterConfig={"Arn": dlq})
                                    )["ScheduleArn"]
    aws.emulator.clock.advance(1)
    messages = drain(sqs, dlq_url)
    assert len(messages) == 1
    message = messages[0]
    assert message["Body"] == '{"job": 7}'
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert attributes["SCHEDULE_ARN"] == arn
    assert attributes["TARGET_ARN"] == missing
    assert attributes["RETRY_ATTEMPTS"] == "0"  # a missing queue is not retried
    assert "NonExistentQueue" in attributes["ERROR_CODE"] or "QueueDoesNotExist" in attributes["ERROR_CODE"]
    assert attributes["ERROR_MESSAGE"]
    assert attributes["EXECUTION_ID"] and attributes["SCHEDULED_TIME"].endswith("Z")
    assert "EXHAUSTED_RETRY_CONDITION" not in attributes
    # No dead-letter queue: the failure is dropped, and the schedule keeps running.
    scheduler.update_schedule(Name="broken", ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF,
                              Target=target(missing))
    aws.emulator.clock.advance(86400)
    assert drain(sqs, dlq_url) == []


def _failing(times: int, calls: list[int]) -> Any:
    """An ``invoke`` that throttles ``times`` times, then delivers as the real one does."""
    real = firing.invoke

    def invoke(emulator: Any, invocation: Any, attempt: int) -> None:
        calls.append(attempt)
        if len(calls) <= times:
            raise TargetError("ThrottlingException", "Rate exceeded", retryable=True)
        real(emulator, invocation, attempt)

    return invoke


def test_retryable_failures_are_retried_then_dead_lettered(inprocess: Harness, monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    scheduler, sqs = inprocess.client("scheduler"), inprocess.client("sqs")
    url, queue = make_queue(sqs, "work")
    dlq_url, dlq = make_queue(sqs, "dlq")
    calls: list[int] = []
    monkeypatch.setattr(firing, "invoke", _failing(100, calls))
    scheduler.create_schedule(Name="flaky", ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF,
                              Target=target(queue, Input="payload", DeadLetterConfig={"Arn": dlq},
                                            RetryPolicy={"MaximumRetryAttempts": 2}))
    clock = inprocess.emulator.clock
    clock.advance(1)
    assert calls == [1] and drain(sqs, dlq_url) == []
    clock.advance(60)
    assert calls == [1, 2]
    clock.advance(120)
    assert calls == [1, 2, 3]
    messages = drain(sqs, dlq_url)
    assert len(messages) == 1 and messages[0]["Body"] == "payload"
    attributes = {name: value["StringValue"] for name, value in messages[0]["MessageAttributes"].items()}
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert attributes["RETRY_ATTEMPTS"] == "2" and attributes["ERROR_CODE"] == "ThrottlingException"
    assert drain(sqs, url) == []


def test_a_retry_that_succeeds_delivers_once(inprocess: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    scheduler, sqs = inprocess.client("scheduler"), inprocess.client("sqs")
    url, queue = make_queue(sqs, "work")
    calls: list[int] = []
    monkeypatch.setattr(firing, "invoke", _failing(1, calls))
    scheduler.create_schedule(Name="flaky", ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF,
                              Target=target(queue, Input="attempt <aws.scheduler.attempt-number>"))
    inprocess.emulator.clock.advance(61)
    assert calls == [1, 2]
    assert bodies(sqs, url) == ["attempt 2"]


def test_the_event_age_limit_ends_retries(inprocess: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    scheduler, sqs = inprocess.client("scheduler"), inprocess.client("sqs")
    _, queue = make_queue(sqs, "work")
    dlq_url, dlq = make_queue(sqs, "dlq")
    calls: list[int] = []
    monkeypatch.setattr(firing, "invoke", _failing(100, calls))
    scheduler.create_schedule(Name="flaky", ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF,
                              Target=target(queue, DeadLetterConfig={"Arn": dlq},
                                            RetryPolicy={"MaximumEventAgeInSeconds": 100}))
    inprocess.emulator.clock.advance(600)
    assert calls == [1, 2]  # the third try would come 180 s after the invocation was due
    attributes = {name: value["StringValue"]
                  for name, value in drain(sqs, dlq_url)[0]["MessageAttributes"].items()}
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"
    assert attributes["RETRY_ATTEMPTS"] == "1"


def test_a_one_time_schedule_already_past_runs_at_once(aws: Harness, scheduler: Any, sqs: Any) -> None:
    url, queue = make_queue(sqs, "late")
    past = aws.emulator.clock.now() - dt.timedelta(hours=1)
    scheduler.create_schedule(Name="late", ScheduleExpression=_at(past), FlexibleTimeWindow=OFF,
                              Target=target(queue, Input="late"))
    aws.emulator.clock.advance(1)
    assert bodies(sqs, url) == ["late"]


def test_a_missing_lambda_function_is_dead_lettered(aws: Harness, scheduler: Any, sqs: Any) -> None:
    dlq_url, dlq = make_queue(sqs, "dlq")
    function = f"arn:aws:lambda:us-east-1:{aws.account}:function:nowhere"
    scheduler.create_schedule(Name="invoke", ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF,
                              Target=target(function, Input='{"hello": "lambda"}', DeadLetterConfig={"Arn": dlq}))
    aws.emulator.clock.advance(1)
    [message] = drain(sqs, dlq_url)
    assert message["Body"] == '{"hello": "lambda"}'
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "ResourceNotFoundException" and attributes["TARGET_ARN"] == function


def test_lambda_target_is_invoked_asynchronously(aws: Harness, scheduler: Any, sqs: Any) -> None:
    from tests.lambda_.conftest import create

    lam = aws.client("lambda")
    url, queue = make_queue(sqs, "results")
    function = create(lam, "scheduled", "def handler(event, context):\n    return {'seen': event['job']}\n")
    lam.put_function_event_invoke_config(FunctionName="scheduled",
                                         DestinationConfig={"OnSuccess": {"Destination": queue}})
    scheduler.create_schedule(Name="run", ScheduleExpression="rate(1 day)", FlexibleTimeWindow=OFF,
                              Target=target(function, Input='{"job": "nightly"}'))
    aws.emulator.clock.advance(1)
    assert aws.emulator.service("lambda").wait_for_invocations(20)
    [record] = [json.loads(body) for body in bodies(sqs, url)]
    assert record["requestPayload"] == {"job": "nightly"} and record["responsePayload"] == {"seen": "nightly"}
