"""Dead-letter queues: redrive on receive, RedriveAllowPolicy, ListDeadLetterSourceQueues, and
message move tasks back to the sources."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from hoarfrost.core.clock import Clock
from tests.sqs.conftest import code


def arn_of(sqs: Any, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def source_and_dlq(sqs: Any, max_receive_count: int = 2) -> tuple[str, str, str]:
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq_arn = arn_of(sqs, dlq)
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)})
    source = sqs.create_queue(QueueName="source", Attributes={"RedrivePolicy": policy,
                                                              "VisibilityTimeout": "5"})["QueueUrl"]
    return source, dlq, dlq_arn


def test_message_moves_after_max_receive_count(sqs: Any, fake_clock: Clock) -> None:
    source, dlq, dlq_arn = source_and_dlq(sqs)
    redrive = json.loads(sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])
                         ["Attributes"]["RedrivePolicy"])
    assert redrive == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}
    sent = sqs.send_message(QueueUrl=source, MessageBody="poison",
                            MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
    for _ in range(2):
        assert sqs.receive_message(QueueUrl=source)["Messages"][0]["MessageId"] == sent["MessageId"]
        fake_clock.advance(6)
    assert sqs.receive_message(QueueUrl=source).get("Messages", []) == []
    moved = sqs.receive_message(QueueUrl=dlq, MessageAttributeNames=["All"], AttributeNames=["All"])["Messages"]
    assert [m["MessageId"] for m in moved] == [sent["MessageId"]]
    assert moved[0]["Body"] == "poison"
    assert moved[0]["MessageAttributes"] == {"k": {"DataType": "String", "StringValue": "v"}}
    assert moved[0]["Attributes"]["DeadLetterQueueSourceArn"] == arn_of(sqs, source)
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [source]
    assert sqs.list_dead_letter_source_queues(QueueUrl=source).get("queueUrls", []) == []


def test_redrive_policy_validation(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="src")["QueueUrl"]
    fifo = sqs.create_queue(QueueName="dlq.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    for policy in (
        "not json",
        json.dumps({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:missing", "maxReceiveCount": 1}),
        json.dumps({"deadLetterTargetArn": arn_of(sqs, fifo), "maxReceiveCount": 1}),
        json.dumps({"deadLetterTargetArn": arn_of(sqs, fifo)}),
    ):
        with pytest.raises(ClientError) as excinfo:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": policy})
        assert code(excinfo) == "InvalidParameterValue"


def test_redrive_allow_policy(sqs: Any) -> None:
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq_arn = arn_of(sqs, dlq)
    allowed = sqs.create_queue(QueueName="allowed")["QueueUrl"]
    other = sqs.create_queue(QueueName="other")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(
        {"redrivePermission": "byQueue", "sourceQueueArns": [arn_of(sqs, allowed)]})})
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
    sqs.set_queue_attributes(QueueUrl=allowed, Attributes={"RedrivePolicy": policy})
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=other, Attributes={"RedrivePolicy": policy})
    assert code(excinfo) == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(
            {"redrivePermission": "byQueue"})})
    assert code(excinfo) == "InvalidParameterValue"


def test_move_task_returns_messages_to_their_source(sqs: Any, fake_clock: Clock) -> None:
    source, dlq, dlq_arn = source_and_dlq(sqs, max_receive_count=1)
    ids = [sqs.send_message(QueueUrl=source, MessageBody=f"m{i}")["MessageId"] for i in range(3)]
    sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10)
    fake_clock.advance(6)
    assert sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10).get("Messages", []) == []
    dlq_count = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
    assert dlq_count["Attributes"]["ApproximateNumberOfMessages"] == "3"

    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    assert handle
    tasks = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"]
    assert len(tasks) == 1
    assert tasks[0]["Status"] == "COMPLETED"
    assert tasks[0]["ApproximateNumberOfMessagesMoved"] == 3
    assert tasks[0]["SourceArn"] == dlq_arn
    back = sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert sorted(m["MessageId"] for m in back) == sorted(ids)
    assert all(m["Attributes"]["ApproximateReceiveCount"] == "1" for m in back)
    with pytest.raises(sqs.exceptions.ResourceNotFoundException):
        sqs.cancel_message_move_task(TaskHandle=handle)  # it already completed


def test_move_task_to_a_destination_and_errors(sqs: Any, fake_clock: Clock) -> None:
    source, dlq, dlq_arn = source_and_dlq(sqs, max_receive_count=1)
    elsewhere = sqs.create_queue(QueueName="elsewhere")["QueueUrl"]
    sqs.send_message(QueueUrl=source, MessageBody="m")
    sqs.receive_message(QueueUrl=source)
    fake_clock.advance(6)
    sqs.receive_message(QueueUrl=source)
    sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=arn_of(sqs, elsewhere),
                                MaxNumberOfMessagesPerSecond=10)
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=elsewhere)["Messages"]] == ["m"]
    task = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
    assert task["DestinationArn"] == arn_of(sqs, elsewhere)
    assert task["MaxNumberOfMessagesPerSecond"] == 10
    with pytest.raises(ClientError) as excinfo:  # not a dead-letter queue
        sqs.start_message_move_task(SourceArn=arn_of(sqs, elsewhere))
    assert code(excinfo) == "InvalidParameterValue"
    with pytest.raises(sqs.exceptions.ResourceNotFoundException):
        sqs.start_message_move_task(SourceArn="arn:aws:sqs:us-east-1:123456789012:missing")
