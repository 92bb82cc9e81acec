"""Messages: send, receive, delete, visibility, delays, attributes and their MD5s, batches,
size limits, retention and purge, on json and query."""

from __future__ import annotations

import hashlib
import struct
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.harness import Harness
from hoarfrost.core.clock import Clock
from tests.sqs.conftest import code


def expected_md5(attributes: dict[str, dict[str, Any]]) -> str:
    """SQS's documented encoding, written independently of the implementation."""
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        for text in (name, value["DataType"]):
            data = text.encode()
            digest.update(struct.pack(">I", len(data)) + data)
        if "BinaryValue" in value:
            digest.update(b"\x02" + struct.pack(">I", len(value["BinaryValue"])) + value["BinaryValue"])
        else:
            data = value["StringValue"].encode()
            digest.update(b"\x01" + struct.pack(">I", len(data)) + data)
    return digest.hexdigest()


ATTRIBUTES = {
    "colour": {"DataType": "String", "StringValue": "blue ✓"},
    "count": {"DataType": "Number", "StringValue": "12.5"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
    "custom": {"DataType": "String.custom", "StringValue": "x"},
    "meta.id": {"DataType": "String", "StringValue": "7"},
}


def test_send_receive_delete_with_md5s(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    trace = {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}}
    sent = sqs.send_message(QueueUrl=url, MessageBody="héllo", MessageAttributes=ATTRIBUTES,
                            MessageSystemAttributes=trace)
    assert sent["MD5OfMessageBody"] == hashlib.md5("héllo".encode()).hexdigest()
    assert sent["MD5OfMessageAttributes"] == expected_md5(ATTRIBUTES)
    assert sent["MD5OfMessageSystemAttributes"] == expected_md5(trace)
    received = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                                   MessageSystemAttributeNames=["All"])["Messages"]
    assert len(received) == 1
    message = received[0]
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == "héllo"
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert message["MessageAttributes"] == ATTRIBUTES
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    system = message["Attributes"]
    assert system["ApproximateReceiveCount"] == "1"
    assert system["AWSTraceHeader"] == trace["AWSTraceHeader"]["StringValue"]
    assert int(system["SentTimestamp"]) <= int(system["ApproximateFirstReceiveTimestamp"])
    assert system["SenderId"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_attribute_selection_and_its_md5(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="b", MessageAttributes=ATTRIBUTES)
    message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["colour", "meta.*"],
                                  AttributeNames=["SentTimestamp"], VisibilityTimeout=0)["Messages"][0]
    selected = {name: ATTRIBUTES[name] for name in ("colour", "meta.id")}
    assert message["MessageAttributes"] == selected
    assert message["MD5OfMessageAttributes"] == expected_md5(selected)
    assert set(message["Attributes"]) == {"SentTimestamp"}
    bare = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert "MessageAttributes" not in bare and "Attributes" not in bare


def test_receive_empty_queue_and_max_messages(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    for i in range(15):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 10
    with pytest.raises(ClientError) as excinfo:
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
    assert code(excinfo) == "InvalidParameterValue"


def test_visibility_timeout_and_change_visibility(sqs: Any, fake_clock: Clock) -> None:
    url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "20"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    first = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    fake_clock.advance(21)
    second = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert second["MessageId"] == first["MessageId"]
    assert second["ReceiptHandle"] != first["ReceiptHandle"]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=100)
    fake_clock.advance(50)
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=0)
    third = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert third["MessageId"] == first["MessageId"]
    fake_clock.advance(21)
    with pytest.raises(ClientError) as excinfo:  # no longer in flight
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=third["ReceiptHandle"], VisibilityTimeout=5)
    assert code(excinfo) == "AWS.SimpleQueueService.MessageNotInflight"
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="not-a-handle")
    assert code(excinfo) == "ReceiptHandleIsInvalid"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])  # a stale handle still deletes
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []


def test_delays_per_queue_and_per_message(sqs: Any, fake_clock: Clock) -> None:
    url = sqs.create_queue(QueueName="q", Attributes={"DelaySeconds": "10"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="queue-delay")
    sqs.send_message(QueueUrl=url, MessageBody="no-delay", DelaySeconds=0)
    sqs.send_message(QueueUrl=url, MessageBody="long-delay", DelaySeconds=30)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "1"
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "2"
    def receive_all() -> list[str]:
        response = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300)
        return [m["Body"] for m in response.get("Messages", [])]

    assert receive_all() == ["no-delay"]
    fake_clock.advance(11)
    assert receive_all() == ["queue-delay"]
    fake_clock.advance(20)
    assert receive_all() == ["long-delay"]
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=901)
    assert code(excinfo) == "InvalidParameterValue"


def test_message_validation(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="q", Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 1025)
    assert code(excinfo) == "InvalidParameterValue"
    assert "1024" in excinfo.value.response["Error"]["Message"]
    sqs.send_message(QueueUrl=url, MessageBody="x" * 1024)
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="bad \x00 char")
    assert code(excinfo) == "InvalidMessageContents"
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="")
    assert code(excinfo) == "MissingParameter"
    for attributes in (
        {"n": {"DataType": "Number", "StringValue": "not-a-number"}},
        {"AWS.reserved": {"DataType": "String", "StringValue": "v"}},
        {"t": {"DataType": "Blob", "StringValue": "v"}},
        {"e": {"DataType": "String", "StringValue": ""}},
    ):
        with pytest.raises(ClientError) as excinfo:
            sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
        assert code(excinfo) == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
    assert code(excinfo) == "InvalidParameterValue"


def test_send_message_batch_successes_and_failures(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    result = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "ok-1", "MessageBody": "one", "MessageAttributes": {"a": {"DataType": "String", "StringValue": "1"}}},
        {"Id": "bad", "MessageBody": "two", "DelaySeconds": 1000},
        {"Id": "ok_2", "MessageBody": "three"},
    ])
    assert [entry["Id"] for entry in result["Successful"]] == ["ok-1", "ok_2"]
    ok = result["Successful"][0]
    assert ok["MD5OfMessageBody"] == hashlib.md5(b"one").hexdigest()
    assert ok["MD5OfMessageAttributes"] == expected_md5({"a": {"DataType": "String", "StringValue": "1"}})
    assert result["Failed"] == [{"Id": "bad", "SenderFault": True, "Code": "InvalidParameterValue",
                                 "Message": result["Failed"][0]["Message"]}]
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    assert sorted(bodies) == ["one", "three"]


@pytest.mark.parametrize(("entries", "expected"), [
    ([], "AWS.SimpleQueueService.EmptyBatchRequest"),
    ([{"Id": str(i), "MessageBody": "x"} for i in range(11)], "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
    ([{"Id": "same", "MessageBody": "x"}, {"Id": "same", "MessageBody": "y"}],
     "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
    ([{"Id": "has space", "MessageBody": "x"}], "AWS.SimpleQueueService.InvalidBatchEntryId"),
    ([{"Id": str(i), "MessageBody": "x" * 200_000} for i in range(6)], "AWS.SimpleQueueService.BatchRequestTooLong"),
])
def test_send_message_batch_request_errors(sqs: Any, entries: list[dict[str, Any]], expected: str) -> None:
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert code(excinfo) == expected
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []


def test_delete_and_change_visibility_batches(sqs: Any, fake_clock: Clock) -> None:
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(4)])
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 4
    changed = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "a", "ReceiptHandle": messages[0]["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "b", "ReceiptHandle": "garbage", "VisibilityTimeout": 0},
    ])
    assert [entry["Id"] for entry in changed["Successful"]] == ["a"]
    assert changed["Failed"][0]["Id"] == "b" and changed["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
    deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": f"d{i}", "ReceiptHandle": message["ReceiptHandle"]} for i, message in enumerate(messages[1:])
    ] + [{"Id": "bad", "ReceiptHandle": "garbage"}])
    assert sorted(entry["Id"] for entry in deleted["Successful"]) == ["d0", "d1", "d2"]
    assert [entry["Id"] for entry in deleted["Failed"]] == ["bad"]
    remaining = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["MessageId"] for m in remaining] == [messages[0]["MessageId"]]
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message_batch(QueueUrl=url, Entries=[])
    assert code(excinfo) == "AWS.SimpleQueueService.EmptyBatchRequest"


def test_retention_period_expires_messages(sqs: Any, fake_clock: Clock) -> None:
    url = sqs.create_queue(QueueName="q", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="old")
    fake_clock.advance(30)
    sqs.send_message(QueueUrl=url, MessageBody="new")
    fake_clock.advance(31)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    assert bodies == ["new"]


def test_purge_queue_once_a_minute(sqs: Any, fake_clock: Clock) -> None:
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=str(i))
    sqs.purge_queue(QueueUrl=url)
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress) as excinfo:
        sqs.purge_queue(QueueUrl=url)
    assert code(excinfo) == "AWS.SimpleQueueService.PurgeQueueInProgress"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    fake_clock.advance(61)
    sqs.purge_queue(QueueUrl=url)


def test_missing_required_parameter(aws: Harness) -> None:
    sqs = aws.client("sqs", config=Config(parameter_validation=False))
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url)
    assert code(excinfo) == "MissingParameter"
    assert "MessageBody" in excinfo.value.response["Error"]["Message"]
