"""Asynchronous invocation retries by the emulator's clock: AWS's one- and two-minute waits,
MaximumRetryAttempts and MaximumEventAgeInSeconds."""

from __future__ import annotations

import json
from typing import Any

from tests.harness import Harness
from tests.lambda_.conftest import create

FAILS = "def handler(event, context):\n    print('attempt')\n    raise RuntimeError('nope')\n"


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _attempts(aws: Harness, name: str) -> int:
    events = aws.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}", filterPattern="attempt")
    return len(events["events"])


def _failures(sqs: Any, url: str) -> list[Any]:
    """The destination records in the queue, taken out of it."""
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    for m in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return [json.loads(m["Body"]) for m in messages]


def test_retries_wait_for_the_clock(aws: Harness) -> None:
    lam, sqs = aws.client("lambda"), aws.client("sqs")
    url, arn = _queue(sqs, "failed")
    create(lam, "slowretry", FAILS)
    lam.put_function_event_invoke_config(FunctionName="slowretry",
                                         DestinationConfig={"OnFailure": {"Destination": arn}})
    service, clock = aws.emulator.service("lambda"), aws.emulator.clock
    lam.invoke(FunctionName="slowretry", InvocationType="Event", Payload=b'{"k": 1}')
    assert service.wait_for_invocations(20)
    assert _attempts(aws, "slowretry") == 1
    clock.advance(59)  # not yet a minute
    assert service.wait_for_invocations(20) and _attempts(aws, "slowretry") == 1
    clock.advance(1)
    assert service.wait_for_invocations(20) and _attempts(aws, "slowretry") == 2
    clock.advance(119)  # the third attempt waits two minutes after the second
    assert service.wait_for_invocations(20) and _attempts(aws, "slowretry") == 2
    assert _failures(sqs, url) == []
    clock.advance(1)
    assert service.wait_for_invocations(20) and _attempts(aws, "slowretry") == 3
    [failure] = _failures(sqs, url)
    assert failure["requestContext"]["condition"] == "RetriesExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 3 and failure["requestPayload"] == {"k": 1}
    clock.advance(600)
    assert service.wait_for_invocations(20) and _attempts(aws, "slowretry") == 3


def test_maximum_retry_attempts_and_event_age(aws: Harness) -> None:
    lam, sqs = aws.client("lambda"), aws.client("sqs")
    url, arn = _queue(sqs, "aged")
    create(lam, "aging", FAILS)
    lam.put_function_event_invoke_config(FunctionName="aging", MaximumRetryAttempts=2, MaximumEventAgeInSeconds=90,
                                         DestinationConfig={"OnFailure": {"Destination": arn}})
    service, clock = aws.emulator.service("lambda"), aws.emulator.clock
    lam.invoke(FunctionName="aging", InvocationType="Event", Payload=b'{"k": 2}')
    assert service.wait_for_invocations(20)
    clock.advance(60)
    assert service.wait_for_invocations(20) and _attempts(aws, "aging") == 2
    # The third attempt comes due at 180 s: the event, 90 s old at most, has expired by then.
    clock.advance(120)
    assert service.wait_for_invocations(20) and _attempts(aws, "aging") == 2
    [failure] = _failures(sqs, url)
    assert failure["requestContext"]["condition"] == "EventAgeExceeded"
    assert failure["requestContext"]["approximateInvokeCount"] == 2
    assert failure["responseContext"]["functionError"] == "Unhandled"

    lam.update_function_event_invoke_config(FunctionName="aging", MaximumRetryAttempts=1)
    lam.invoke(FunctionName="aging", InvocationType="Event", Payload=b'{"k": 3}')
    assert service.wait_for_invocations(20)
    clock.advance(60)
    assert service.wait_for_invocations(20) and _attempts(aws, "aging") == 4
    [failure] = _failures(sqs, url)
    assert failure["requestContext"]["condition"] == "RetriesExhausted" and failure["requestPayload"] == {"k": 3}
    assert service.executor.retries.pending() == 0


def test_no_retry_or_stream_reader_outlives_its_emulator() -> None:
    import threading

    import boto3

    import hoarfrost

    before = set(threading.enumerate())  # other emulators' threads (the server harness's) are not ours

    def named(prefix: str) -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name.startswith(prefix) and t.is_alive() and t not in before]

    with hoarfrost.mock_aws() as emulator:
        lam, ddb = boto3.client("lambda", region_name="us-east-1"), boto3.client("dynamodb", region_name="us-east-1")
        create(lam, "doomed", FAILS)
        lam.invoke(FunctionName="doomed", InvocationType="Event", Payload=b"{}")
        service = emulator.service("lambda")
        assert service.wait_for_invocations(20) and service.executor.retries.pending() == 1
        ddb.create_table(TableName="t", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST",
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        stream = ddb.describe_table(TableName="t")["Table"]["LatestStreamArn"]
        lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="doomed", StartingPosition="LATEST")
        retry_threads, poll_threads = named("hoarfrost-lambda-retries"), named("hoarfrost-lambda-mappings")
        assert retry_threads and poll_threads
    for thread in retry_threads + poll_threads:
        thread.join(5)
        assert not thread.is_alive()
    assert service.executor.retries.pending() == 0


def test_an_sns_topic_takes_the_on_failure_record_and_the_dead_letter(aws: Harness) -> None:
    """Topics have no delivery sink: Lambda publishes to them, as it does in AWS."""
    lam, sqs, sns = aws.client("lambda"), aws.client("sqs"), aws.client("sns")
    url, queue = _queue(sqs, "from-topic")
    topic = sns.create_topic(Name="lambda-failures")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"})
    create(lam, "tosns", FAILS, DeadLetterConfig={"TargetArn": topic})
    lam.put_function_event_invoke_config(FunctionName="tosns", MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": topic}})
    lam.invoke(FunctionName="tosns", InvocationType="Event", Payload=b'{"k": 4}')
    assert aws.emulator.service("lambda").wait_for_invocations(20)
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                   MessageAttributeNames=["All"]).get("Messages", [])
    bodies = sorted((json.loads(m["Body"]) for m in messages), key=lambda body: "requestContext" in body)
    assert len(bodies) == 2 and bodies[0] == {"k": 4}  # the dead letter: the event itself
    assert bodies[1]["requestContext"]["condition"] == "RetriesExhausted"
    dead = next(m for m in messages if json.loads(m["Body"]) == {"k": 4})
    assert dead["MessageAttributes"]["ErrorMessage"]["StringValue"] == "nope"
