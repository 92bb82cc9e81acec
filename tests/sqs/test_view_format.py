"""SqsStateView's published format: a view written by an earlier release restores unchanged, the
merge rule on queues and their messages, and the JSON Schema keeps its fields.

``data/state_view_v1.json`` is a snapshot taken by the release whose conversion was written by
hand: a dead-letter queue holding a redriven message, a KMS-encrypted queue with a policy and a
redrive policy whose messages are in flight, delayed and visible (binary and system
attributes), a FIFO queue with message-group deduplication, a purged queue, a recently deleted
queue and a completed move task. It must restore, and snapshot back, the same document.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

import hoarfrost
from hoarfrost.core.emulator import Emulator
from hoarfrost.core.views import StateViewError
from hoarfrost.services.sqs.views import SqsStateView

V1 = (Path(__file__).parent / "data" / "state_view_v1.json").read_text()
ACCOUNT, REGION = "123456789012", "us-east-1"


def _document() -> dict[str, Any]:
    return json.loads(V1)


def _queue(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(queue for queue in document["queues"] if queue["queue_name"] == name)


def _restored() -> Emulator:
    emulator = Emulator()
    emulator.service("sqs").restore(ACCOUNT, REGION, V1)
    return emulator


def test_a_view_written_by_the_previous_release_restores_unchanged() -> None:
    emulator = _restored()
    assert json.loads(emulator.service("sqs").snapshot_json(ACCOUNT, REGION)) == _document()
    work = _queue(_document(), "work")
    in_flight = next(m for m in work["messages"] if m["receipt_handle"])
    with hoarfrost.mock_aws(emulator, keep_state=True):
        client = boto3.client("sqs", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="x")
        url = client.get_queue_url(QueueName="work")["QueueUrl"]
        attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "VisibilityTimeout", "KmsMasterKeyId", "SqsManagedSseEnabled", "RedrivePolicy"])["Attributes"]
        assert attributes == {"VisibilityTimeout": "120", "KmsMasterKeyId": "alias/aws/sqs",
                              "SqsManagedSseEnabled": "false", "RedrivePolicy": work["redrive_policy"]}
        assert client.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "x"}
        client.delete_message(QueueUrl=url, ReceiptHandle=in_flight["receipt_handle"])
    after = json.loads(emulator.service("sqs").snapshot_json(ACCOUNT, REGION))
    assert in_flight["message_id"] not in [m["message_id"] for m in _queue(after, "work")["messages"]]


def test_restored_queues_keep_their_hot_path_settings() -> None:
    backend = _restored().service("sqs").scope(ACCOUNT, REGION).backend
    work, fifo = backend.queues["work"], backend.queues["work.fifo"]
    assert (work.visibility_timeout, work.retention, work.max_receive_count) == (120, 345_600, 1)
    assert work.redrive_target == backend.queues["dlq"].arn
    assert list(work.messages) == [m["message_id"] for m in _queue(_document(), "work")["messages"]]
    assert fifo.fifo and fifo.next_sequence == 5 and len(fifo.deduplication) == 4
    [redriven] = backend.queues["dlq"].messages.values()
    assert redriven.dead_letter_source_arn == work.arn
    assert redriven.md5_body == hashlib.md5(redriven.body.encode()).hexdigest()  # caches rebuilt


def test_round_trip_on_a_fresh_emulator_is_exact() -> None:
    view = _restored().service("sqs").snapshot(ACCOUNT, REGION)
    for restored in (view.model_dump_json(), view.model_dump(mode="json"), view):
        fresh = Emulator()
        fresh.service("sqs").restore(ACCOUNT, REGION, restored)
        assert fresh.service("sqs").snapshot(ACCOUNT, REGION) == view


def test_merge_overlays_queues_and_messages_by_key() -> None:
    emulator = _restored()
    service = emulator.service("sqs")
    work = _queue(_document(), "work")
    first, second = work["messages"][:2]
    view = {
        "queues": [
            {"queue_name": "work", "visibility_timeout": 45, "tags": {"new": "tags"},
             "messages": [{**second, "body": "replaced"},
                          {"message_id": "m-new", "body": "added", "sent_timestamp": second["sent_timestamp"]}]},
            {"queue_name": "fresh"},
        ],
        "recently_deleted": [{"queue_name": "work", "deleted_timestamp": "2030-01-01T00:00:00Z"},
                             {"queue_name": "other", "deleted_timestamp": "2030-01-01T00:00:00Z"}],
    }
    service.merge(ACCOUNT, REGION, view)
    after = json.loads(service.snapshot_json(ACCOUNT, REGION))
    merged = _queue(after, "work")
    assert (merged["visibility_timeout"], merged["tags"]) == (45, {"new": "tags"})  # the view's attributes
    assert [m["message_id"] for m in merged["messages"]] == \
        [m["message_id"] for m in work["messages"]] + ["m-new"]  # kept in place, new ones appended
    assert merged["messages"][0] == first and merged["messages"][1]["body"] == "replaced"
    assert [q["queue_name"] for q in after["queues"]] == [q["queue_name"] for q in _document()["queues"]] + ["fresh"]
    for name in ("dlq", "work.fifo", "purged"):
        assert _queue(after, name) == _queue(_document(), name)
    # a queue that exists is not "recently deleted"; the other marker is added
    assert [d["queue_name"] for d in after["recently_deleted"]] == ["gone", "other"]
    assert after["message_move_tasks"] == _document()["message_move_tasks"]


def test_merge_keeps_the_higher_sequence_number() -> None:
    service = _restored().service("sqs")
    service.merge(ACCOUNT, REGION, {"queues": [{"queue_name": "work.fifo", "fifo_queue": True,
                                                "next_sequence_number": 2}]})
    assert _queue(json.loads(service.snapshot_json(ACCOUNT, REGION)), "work.fifo")["next_sequence_number"] == 5


def test_merge_takes_move_tasks_by_id() -> None:
    service = _restored().service("sqs")
    [task] = _document()["message_move_tasks"]
    other = {**task, "task_id": "another", "status": "FAILED",
             "failure_reason": "AWS.SimpleQueueService.NonExistentQueue"}
    service.merge(ACCOUNT, REGION, {"message_move_tasks": [{**task, "approximate_number_of_messages_moved": 0}, other]})
    tasks = json.loads(service.snapshot_json(ACCOUNT, REGION))["message_move_tasks"]
    assert tasks == [{**task, "approximate_number_of_messages_moved": 0}, other]


def _message(**fields: Any) -> dict[str, Any]:
    return {"message_id": "m", "body": "b", "sent_timestamp": "2030-01-01T00:00:00Z", **fields}


@pytest.mark.parametrize("bad", [
    {"queues": [{"queue_name": "q", "messages": [_message(), _message()]}]},
    {"queues": [{"queue_name": "q", "messages": [_message(
        message_attributes={"a": {"data_type": "Binary", "string_value": "not bytes"}})]}]},
    {"queues": [{"queue_name": "q", "messages": [_message(message_attributes={"a": {"data_type": "String"}})]}]},
    {"queues": [{"queue_name": "q", "fifo_queue": True}]},
    {"queues": [{"queue_name": "q", "kms_data_key_reuse_period_seconds": 5}]},
    {"queues": [{"queue_name": "q", "redrive_policy": "{}"}]},
    {"queues": [{"queue_name": "work", "messages": [_message(receipt_handle=_queue(_document(), "work")["messages"][
        0]["receipt_handle"])]}]},
    {"recently_deleted": [{"queue_name": "q"}]},
    {"message_move_tasks": [{"task_id": "t", "source_arn": "arn"}]},
])
def test_a_rejected_view_changes_nothing(bad: dict[str, Any]) -> None:
    service = _restored().service("sqs")
    for apply in (service.restore, service.merge):
        with pytest.raises(StateViewError) as excinfo:
            apply(ACCOUNT, REGION, bad)
        assert excinfo.value.kind == "invalid"
        assert json.loads(service.snapshot_json(ACCOUNT, REGION)) == _document()


def test_json_schema_keeps_the_published_fields() -> None:
    schema = SqsStateView.model_json_schema()
    definitions = schema["$defs"]
    fields = {name: set(definition["properties"]) for name, definition in definitions.items()}
    required = {name: set(definition.get("required", ())) for name, definition in definitions.items()}
    assert set(schema["properties"]) == {"schema_version", "account", "region", "queues", "recently_deleted",
                                         "message_move_tasks"}
    assert fields == {
        "QueueView": {
            "queue_name", "queue_url", "queue_arn", "fifo_queue", "visibility_timeout", "maximum_message_size",
            "message_retention_period", "delay_seconds", "receive_message_wait_time_seconds",
            "sqs_managed_sse_enabled", "policy", "redrive_policy", "redrive_allow_policy", "kms_master_key_id",
            "kms_data_key_reuse_period_seconds", "content_based_deduplication", "deduplication_scope",
            "fifo_throughput_limit", "tags", "created_timestamp", "last_modified_timestamp",
            "last_purged_timestamp", "next_sequence_number", "messages", "deduplication",
        },
        "MessageView": {
            "message_id", "body", "message_attributes", "message_system_attributes", "sent_timestamp",
            "visible_after", "approximate_receive_count", "approximate_first_receive_timestamp", "receipt_handle",
            "message_group_id", "message_deduplication_id", "sequence_number", "sender_id",
            "dead_letter_queue_source_arn",
        },
        "MessageAttributeView": {"data_type", "string_value", "binary_value"},
        "DeduplicationView": {"key", "message_id", "sequence_number", "sent_timestamp"},
        "DeletedQueueView": {"queue_name", "deleted_timestamp"},
        "MessageMoveTaskView": {
            "task_id", "source_arn", "destination_arn", "max_number_of_messages_per_second", "status",
            "approximate_number_of_messages_moved", "approximate_number_of_messages_to_move", "failure_reason",
            "started_timestamp",
        },
    }
    assert required == {
        "QueueView": {"queue_name"},
        "MessageView": {"message_id", "body", "sent_timestamp"},
        "MessageAttributeView": {"data_type"},
        "DeduplicationView": {"key", "message_id", "sent_timestamp"},
        "DeletedQueueView": {"queue_name", "deleted_timestamp"},
        "MessageMoveTaskView": {"task_id", "source_arn", "started_timestamp"},
    }
