"""FIFO queues: ordering per message group, groups blocked while in flight, deduplication,
receive request attempts, and strict ordering under concurrent consumers."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError

from hoarfrost.core.clock import Clock
from tests.harness import Harness
from tests.sqs.conftest import code


def fifo_queue(sqs: Any, name: str = "q.fifo", **attributes: str) -> str:
    return sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true", **attributes})["QueueUrl"]


def test_sequence_numbers_and_order_within_a_group(sqs: Any) -> None:
    url = fifo_queue(sqs)
    sequences = []
    for i in range(5):
        sent = sqs.send_message(QueueUrl=url, MessageBody=f"m{i}", MessageGroupId="g", MessageDeduplicationId=f"d{i}")
        sequences.append(int(sent["SequenceNumber"]))
    assert sequences == sorted(sequences) and len(set(sequences)) == 5
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in messages] == [f"m{i}" for i in range(5)]
    assert messages[0]["Attributes"]["MessageGroupId"] == "g"
    assert messages[0]["Attributes"]["MessageDeduplicationId"] == "d0"
    assert int(messages[0]["Attributes"]["SequenceNumber"]) == sequences[0]


def test_group_is_blocked_while_a_message_is_in_flight(sqs: Any) -> None:
    url = fifo_queue(sqs, ContentBasedDeduplication="true")
    for body, group in (("a1", "a"), ("b1", "b"), ("a2", "a"), ("b2", "b")):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    first = sqs.receive_message(QueueUrl=url)["Messages"]
    assert [m["Body"] for m in first] == ["a1"]
    # group a is blocked until a1 is deleted; b is free
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in second] == ["b1", "b2"]
    assert sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []) == []
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    third = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in third] == ["a2"]


def test_visibility_expiry_redelivers_the_head_first(sqs: Any, fake_clock: Clock) -> None:
    url = fifo_queue(sqs, ContentBasedDeduplication="true", VisibilityTimeout="10")
    for body in ("1", "2", "3"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]] == ["1", "2"]
    fake_clock.advance(11)
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]] == ["1", "2", "3"]


def test_deduplication_within_five_minutes(sqs: Any, fake_clock: Clock) -> None:
    url = fifo_queue(sqs)
    first = sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="same")
    again = sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="same")
    assert again["MessageId"] == first["MessageId"]
    assert again["SequenceNumber"] == first["SequenceNumber"]
    count = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert count["Attributes"]["ApproximateNumberOfMessages"] == "1"
    fake_clock.advance(301)
    later = sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="same")
    assert later["MessageId"] != first["MessageId"]


def test_content_based_deduplication_and_scope(sqs: Any) -> None:
    url = fifo_queue(sqs, ContentBasedDeduplication="true")
    one = sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="a")
    two = sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="b")
    assert one["MessageId"] == two["MessageId"]  # queue-wide scope
    grouped = fifo_queue(sqs, "grouped.fifo", ContentBasedDeduplication="true", DeduplicationScope="messageGroup")
    one = sqs.send_message(QueueUrl=grouped, MessageBody="same body", MessageGroupId="a")
    two = sqs.send_message(QueueUrl=grouped, MessageBody="same body", MessageGroupId="b")
    assert one["MessageId"] != two["MessageId"]


def test_fifo_send_errors(sqs: Any) -> None:
    url = fifo_queue(sqs)
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
    assert code(excinfo) == "MissingParameter"
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
    assert code(excinfo) == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d",
                         DelaySeconds=5)
    assert code(excinfo) == "InvalidParameterValue"
    batch = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "ok", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
        {"Id": "bad-group", "MessageBody": "y", "MessageGroupId": "has space", "MessageDeduplicationId": "2"},
    ])
    assert [entry["Id"] for entry in batch["Successful"]] == ["ok"]
    assert batch["Successful"][0]["SequenceNumber"]
    # (An entry without MessageGroupId fails the whole request: test_aws_fidelity.)
    assert batch["Failed"][0]["Id"] == "bad-group" and batch["Failed"][0]["Code"] == "InvalidParameterValue"


def test_receive_request_attempt_id_returns_the_same_messages(sqs: Any) -> None:
    url = fifo_queue(sqs, ContentBasedDeduplication="true")
    for body in ("1", "2"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, ReceiveRequestAttemptId="attempt")["Messages"]
    retry = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, ReceiveRequestAttemptId="attempt")["Messages"]
    assert [(m["MessageId"], m["ReceiptHandle"]) for m in retry] == \
        [(m["MessageId"], m["ReceiptHandle"]) for m in first]


def test_strict_order_with_concurrent_consumers(aws: Harness) -> None:
    sqs = aws.client("sqs")
    url = fifo_queue(sqs, ContentBasedDeduplication="true")
    groups = ("a", "b", "c")
    per_group = 12
    for i in range(per_group):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": group, "MessageBody": f"{group}-{i:02d}", "MessageGroupId": group} for group in groups
        ])
    seen: list[str] = []
    seen_lock = threading.Lock()
    errors: list[BaseException] = []

    def consume() -> None:
        client = aws.client("sqs")
        try:
            empty = 0
            while empty < 3:
                messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=3).get("Messages", [])
                if not messages:
                    empty += 1
                    continue
                empty = 0
                with seen_lock:  # record before deleting: the group stays blocked until then
                    seen.extend(m["Body"] for m in messages)
                client.delete_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
                ])
        except BaseException as error:  # surfaced in the main thread
            errors.append(error)

    threads = [threading.Thread(target=consume) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(seen) == sorted(f"{g}-{i:02d}" for g in groups for i in range(per_group))
    for group in groups:
        in_group = [body for body in seen if body.startswith(group + "-")]
        assert in_group == sorted(in_group)
