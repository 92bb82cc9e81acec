"""SqsStateView: snapshot, restore onto a fresh emulator, merge, invalid views, notifications,
and the delivery-port contract other services use."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

import hoarfrost
from hoarfrost.core.clock import Clock
from hoarfrost.core.emulator import Emulator
from hoarfrost.core.ports import Message
from hoarfrost.core.views import StateChange, StateViewError
from hoarfrost.services.sqs.errors import errors
from hoarfrost.services.sqs.views import SqsStateView
from tests.harness import Harness


def populate(sqs: Any) -> tuple[str, str]:
    url = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "120"}, tags={"team": "x"})["QueueUrl"]
    fifo = sqs.create_queue(QueueName="work.fifo", Attributes={"FifoQueue": "true",
                                                               "ContentBasedDeduplication": "true"})["QueueUrl"]
    for i in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}",
                         MessageAttributes={"i": {"DataType": "Number", "StringValue": str(i)},
                                            "b": {"DataType": "Binary", "BinaryValue": bytes([i, 255])}})
        sqs.send_message(QueueUrl=fifo, MessageBody=f"f{i}", MessageGroupId="g")
    return url, fifo


def test_snapshot_holds_queues_and_messages_in_order(sqs_json: Any, aws: Harness) -> None:
    url, _fifo = populate(sqs_json)
    in_flight = sqs_json.receive_message(QueueUrl=url)["Messages"][0]
    view = aws.emulator.service("sqs").snapshot(aws.account, aws.region)
    assert isinstance(view, SqsStateView)
    queues = {queue.queue_name: queue for queue in view.queues}
    work = queues["work"]
    assert work.visibility_timeout == 120 and work.tags == {"team": "x"} and not work.fifo_queue
    assert [m.body for m in work.messages] == [f"m{i}" for i in range(5)]
    first = work.messages[0]
    assert first.message_id == in_flight["MessageId"]
    assert first.receipt_handle == in_flight["ReceiptHandle"]
    assert first.approximate_receive_count == 1 and first.visible_after is not None
    assert first.message_attributes["b"].binary_value == bytes([0, 255])
    fifo = queues["work.fifo"]
    assert fifo.fifo_queue and fifo.content_based_deduplication
    assert [m.message_group_id for m in fifo.messages] == ["g"] * 5
    assert len(fifo.deduplication) == 5
    # JSON round trip of the view itself, and its schema
    text = view.model_dump_json()
    assert SqsStateView.model_validate_json(text) == view
    assert "queues" in SqsStateView.model_json_schema()["properties"]


def test_restore_onto_a_fresh_emulator(sqs_json: Any, aws: Harness) -> None:
    url, fifo_url = populate(sqs_json)
    in_flight = sqs_json.receive_message(QueueUrl=url)["Messages"][0]
    view_json = aws.emulator.service("sqs").snapshot_json(aws.account, aws.region)

    fresh = Emulator()
    fresh.clock.advance(aws.emulator.clock.offset)  # the same time as the source (earlier tests moved it)
    fresh.service("sqs").restore(aws.account, aws.region, json.loads(view_json))
    with hoarfrost.mock_aws(fresh, keep_state=True):
        client = boto3.client("sqs", region_name="us-east-1")
        url = client.get_queue_url(QueueName="work")["QueueUrl"]
        attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attributes["VisibilityTimeout"] == "120"
        assert attributes["ApproximateNumberOfMessages"] == "4"
        assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"
        assert client.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "x"}
        bodies = [m["Body"] for m in client.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                            MessageAttributeNames=["All"])["Messages"]]
        assert bodies == ["m1", "m2", "m3", "m4"]
        # the in-flight message keeps its handle: it can be deleted with it
        client.delete_message(QueueUrl=url, ReceiptHandle=in_flight["ReceiptHandle"])
        fresh.clock.advance(121)
        assert sorted(m["Body"] for m in client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) \
            == ["m1", "m2", "m3", "m4"]
        fifo = client.get_queue_url(QueueName="work.fifo")["QueueUrl"]
        # deduplication survives the restore, sequence numbers continue
        again = client.send_message(QueueUrl=fifo, MessageBody="f0", MessageGroupId="g")
        assert client.get_queue_attributes(QueueUrl=fifo, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"]["ApproximateNumberOfMessages"] == "5"
        new = client.send_message(QueueUrl=fifo, MessageBody="f5", MessageGroupId="g")
        assert int(new["SequenceNumber"]) > int(again["SequenceNumber"])
        bodies = [m["Body"] for m in client.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)["Messages"]]
        assert bodies == [f"f{i}" for i in range(6)]


def test_merge_keeps_existing_queues_and_messages(sqs_json: Any, aws: Harness) -> None:
    service = aws.emulator.service("sqs")
    url = sqs_json.create_queue(QueueName="kept")["QueueUrl"]
    sqs_json.send_message(QueueUrl=url, MessageBody="existing")
    view = {
        "queues": [
            {"queue_name": "added", "delay_seconds": 0,
             "messages": [{"message_id": "m-1", "body": "merged", "sent_timestamp": "2030-01-01T00:00:00Z"}]},
            {"queue_name": "kept", "visibility_timeout": 77,
             "messages": [{"message_id": "m-2", "body": "also", "sent_timestamp": "2030-01-01T00:00:00Z"}]},
        ]
    }
    service.merge(aws.account, aws.region, view)
    names = sorted(url.rsplit("/", 1)[1] for url in sqs_json.list_queues()["QueueUrls"])
    assert names == ["added", "kept"]
    kept = sqs_json.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert kept["VisibilityTimeout"] == "77"
    assert kept["ApproximateNumberOfMessages"] == "2"
    added = sqs_json.get_queue_url(QueueName="added")["QueueUrl"]
    assert [m["Body"] for m in sqs_json.receive_message(QueueUrl=added)["Messages"]] == ["merged"]


@pytest.mark.parametrize("bad", [
    {"queues": [{"queue_name": "bad name"}]},
    {"queues": [{"queue_name": "x.fifo"}]},
    {"queues": [{"queue_name": "q", "visibility_timeout": 99999}]},
    {"queues": [{"queue_name": "q"}, {"queue_name": "q"}]},
    {"queues": [{"queue_name": "q", "messages": [{"message_id": "1", "body": "b",
                                                  "sent_timestamp": "2030-01-01T00:00:00Z",
                                                  "receipt_handle": "forged"}]}]},
    {"queues": [{"queue_name": "q", "unknown_field": 1}]},
    {"queues": [{"queue_name": "q", "content_based_deduplication": True}]},
])
def test_invalid_view_changes_nothing(sqs_json: Any, aws: Harness, bad: dict[str, Any]) -> None:
    url = sqs_json.create_queue(QueueName="before")["QueueUrl"]
    sqs_json.send_message(QueueUrl=url, MessageBody="still here")
    service = aws.emulator.service("sqs")
    before = service.snapshot(aws.account, aws.region)
    for apply in (service.restore, service.merge):
        with pytest.raises(StateViewError) as excinfo:
            apply(aws.account, aws.region, bad)
        assert excinfo.value.kind == "invalid"
    assert service.snapshot(aws.account, aws.region).queues == before.queues


def test_notifications_after_mutations_only(sqs_json: Any, aws: Harness) -> None:
    changes: list[StateChange] = []
    with aws.emulator.service("sqs").notifier.subscribe(changes.append):
        url = sqs_json.create_queue(QueueName="n")["QueueUrl"]
        assert "Messages" not in sqs_json.receive_message(QueueUrl=url)  # empty: nothing changed
        sqs_json.send_message(QueueUrl=url, MessageBody="x")
        message = sqs_json.receive_message(QueueUrl=url)["Messages"][0]
        sqs_json.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        sqs_json.list_queues()
        sqs_json.get_queue_url(QueueName="n")
        sqs_json.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        aws.emulator.deliver(f"arn:aws:sqs:{aws.region}:{aws.account}:n", Message("from elsewhere"))
    assert [change.operation for change in changes] == [
        "CreateQueue", "SendMessage", "ReceiveMessage", "DeleteMessage", "SendMessage"]
    assert [m.body for m in changes[-1].view().queues[0].messages] == ["from elsewhere"]


def test_delivery_port_contract(sqs_json: Any, aws: Harness) -> None:
    """What other services rely on: emulator.deliver(queue ARN, Message) behaves as SendMessage."""
    arn = f"arn:aws:sqs:{aws.region}:{aws.account}:"
    with pytest.raises(errors.QueueDoesNotExist):
        aws.emulator.deliver(arn + "missing", Message("x"))
    with pytest.raises(errors.QueueDoesNotExist):
        aws.emulator.deliver(f"arn:aws:sqs:{aws.region}:999988887777:t.fifo", Message("x"))
    url = sqs_json.create_queue(QueueName="t.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    attributes = {"Type": {"DataType": "String", "StringValue": "Notification"}}
    message = Message("body", attributes, group_id="g", deduplication_id="d")
    message_id = aws.emulator.deliver(arn + "t.fifo", message)
    duplicate = aws.emulator.deliver(arn + "t.fifo", message)
    assert duplicate == message_id
    received = sqs_json.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    assert [(m["MessageId"], m["Body"], m["MessageAttributes"]) for m in received] == [(message_id, "body", attributes)]


def test_cross_account_send_notifies_the_owners_scope_only(aws: Harness) -> None:
    owner = aws.client("sqs", aws_access_key_id="111122223333", aws_secret_access_key="x")
    url = owner.create_queue(QueueName="shared")["QueueUrl"]
    changes: list[StateChange] = []
    with aws.emulator.service("sqs").notifier.subscribe(changes.append):
        aws.client("sqs").send_message(QueueUrl=url, MessageBody="from another account")
    assert [(c.account, c.operation) for c in changes] == [("111122223333", "SendMessage")]
    assert [m.body for m in changes[0].view().queues[0].messages] == ["from another account"]


def test_an_empty_receive_that_drops_expired_messages_notifies(sqs_json: Any, aws: Harness,
                                                                 fake_clock: Clock) -> None:
    url = sqs_json.create_queue(QueueName="short", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs_json.send_message(QueueUrl=url, MessageBody="soon gone")
    fake_clock.advance(61)
    changes: list[StateChange] = []
    with aws.emulator.service("sqs").notifier.subscribe(changes.append):
        assert "Messages" not in sqs_json.receive_message(QueueUrl=url)
    assert [change.operation for change in changes] == ["ReceiveMessage"]
    assert changes[0].view().queues[0].messages == []


def test_a_python_mode_dict_with_bytes_restores(sqs_json: Any, aws: Harness) -> None:
    """``view.model_dump()`` (bytes as bytes, datetimes as datetimes) is a view as good as JSON."""
    url = sqs_json.create_queue(QueueName="bytes")["QueueUrl"]
    attributes = {"bin": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}}
    sqs_json.send_message(QueueUrl=url, MessageBody="b", MessageAttributes=attributes)
    view = aws.emulator.service("sqs").snapshot(aws.account, aws.region)
    fresh = Emulator()
    fresh.service("sqs").restore(aws.account, aws.region, view.model_dump())
    again = fresh.service("sqs").snapshot(aws.account, aws.region)
    assert again.queues[0].messages[0].message_attributes["bin"].binary_value == b"\x00\xff"
    assert again.queues[0].messages[0].sent_timestamp == view.queues[0].messages[0].sent_timestamp
