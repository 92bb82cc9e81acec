"""SQS's internal state: queues holding messages, per account/region.

Dataclasses shaped for the hot path (send, receive, delete): a queue keeps its messages in
one insertion-ordered dict (message id -> message), which is both the delivery order and the
index a receipt handle resolves through. Expired messages are dropped lazily while scanning.
Nothing here knows about the wire; handlers translate requests into these calls.

These dataclasses are also the declarations of SQS's state view (views.py derives its models
from them): a field's metadata says how the view names or stores it, and a default is what a
view may leave out. What the view holds in another form altogether (a queue's attributes,
where it lives) is convert.py's.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.records import (
    EPOCH,
    OPTIONAL_EPOCH,
    VIEW_EXCLUDE,
    Converter,
    view_as,
    view_named,
)
from hoarfrost.services.sqs.attributes import FIFO_DEFAULTS, OPTIONAL, STANDARD_DEFAULTS
from hoarfrost.services.sqs.errors import errors, queue_does_not_exist
from hoarfrost.services.sqs.md5 import md5_of_attributes, md5_of_body

DEDUPLICATION_WINDOW = 300.0  # seconds a FIFO deduplication id is remembered
RECEIVE_ATTEMPT_WINDOW = 300.0  # seconds a ReceiveRequestAttemptId is remembered
PURGE_INTERVAL = 60.0  # one PurgeQueue per queue per minute
DELETED_QUEUE_QUARANTINE = 60.0  # a deleted queue's name is reusable after a minute


def new_id() -> str:
    """A message or move task id, as SQS makes them (a UUID)."""
    return str(uuid.uuid4())


def _attribute_views(attributes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: {"data_type": value["DataType"], "string_value": value.get("StringValue"),
                   "binary_value": value.get("BinaryValue")} for name, value in attributes.items()}


def _attribute_values(views: dict[str, Any]) -> dict[str, dict[str, Any]]:
    attributes: dict[str, dict[str, Any]] = {}
    for name, view in views.items():
        value: dict[str, Any] = {"DataType": view.data_type}
        if view.data_type.startswith("Binary"):
            value["BinaryValue"] = view.binary_value
        else:
            value["StringValue"] = view.string_value
        attributes[name] = value
    return attributes


# Message attributes keep SendMessage's input shape, from which their MD5 and ReceiveMessage's
# answer are made; a view types each one. The view type is named, not imported: views.py
# defines it (and imports this module), and the view models resolve the name there.
MESSAGE_ATTRIBUTES = Converter("dict[str, MessageAttributeView]", _attribute_views, _attribute_values)
# When a message can next be received (the end of its delay or visibility timeout): 0.0 for now
# on the hot path, where a compare is all a receive needs; None for now in a view.
VISIBLE_AT = Converter(dt.datetime | None, lambda at: OPTIONAL_EPOCH.to_view(at or None),
                       lambda moment: OPTIONAL_EPOCH.to_record(moment) or 0.0)


@dataclass(slots=True, eq=False, kw_only=True)
class Message:
    """One message and its delivery state. ``visible_at`` is when it can next be received
    (after a delay or a visibility timeout); ``receipt_handle`` is set while it is in flight."""

    message_id: str
    body: str
    attributes: dict[str, dict[str, Any]] = field(
        default_factory=dict, metadata=view_as(MESSAGE_ATTRIBUTES, "message_attributes"))
    system_attributes: dict[str, dict[str, Any]] = field(  # AWSTraceHeader, as the sender gave it
        default_factory=dict, metadata=view_as(MESSAGE_ATTRIBUTES, "message_system_attributes"))
    sent: float = field(metadata=view_as(EPOCH, "sent_timestamp"))
    visible_at: float = field(default=0.0, metadata=view_as(VISIBLE_AT, "visible_after"))
    receive_count: int = field(default=0, metadata=view_named("approximate_receive_count"))
    first_receive: float | None = field(
        default=None, metadata=view_as(OPTIONAL_EPOCH, "approximate_first_receive_timestamp"))
    receipt_handle: str | None = None  # the latest receive's, while its visibility timeout runs
    group_id: str | None = field(default=None, metadata=view_named("message_group_id"))
    deduplication_id: str | None = field(default=None, metadata=view_named("message_deduplication_id"))
    sequence_number: str | None = None
    sender_id: str = ""
    dead_letter_source_arn: str | None = field(default=None, metadata=view_named("dead_letter_queue_source_arn"))
    # What SendMessage and ReceiveMessage answer, computed once.
    md5_body: str = field(init=False, metadata=VIEW_EXCLUDE)
    md5_attributes: str | None = field(init=False, metadata=VIEW_EXCLUDE)  # None: no attributes
    md5_system_attributes: str | None = field(init=False, metadata=VIEW_EXCLUDE)

    def __post_init__(self) -> None:
        self.md5_body = md5_of_body(self.body)
        self.md5_attributes = md5_of_attributes(self.attributes)
        self.md5_system_attributes = md5_of_attributes(self.system_attributes)

    def in_flight(self, now: float) -> bool:
        return self.receipt_handle is not None and self.visible_at > now


def make_receipt_handle(queue_name: str, message_id: str) -> str:
    """An opaque handle that still names its queue and message, so a stale handle resolves."""
    raw = f"{queue_name}\n{message_id}\n{uuid.uuid4().hex}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def parse_receipt_handle(handle: str) -> tuple[str, str]:
    """(queue name, message id) a handle names; ReceiptHandleIsInvalid when it is not one of ours."""
    try:
        queue_name, message_id, _nonce = base64.urlsafe_b64decode(handle.encode("ascii")).decode().split("\n")
    except (ValueError, UnicodeError, binascii.Error):
        raise errors.ReceiptHandleIsInvalid(
            f'The input receipt handle "{handle}" is not a valid receipt handle.'
        ) from None
    return queue_name, message_id


@dataclass(slots=True, eq=False, kw_only=True)
class Queue:
    """A standard or FIFO queue.

    ``attributes`` are the settable attributes as the strings SQS answers with (GetQueueAttributes
    is a dictionary copy); ``set_attributes`` caches what the hot path reads of them. A view
    has them as typed fields instead (convert.py), and names the queue's ARN only for
    information: where a queue lives is its scope's."""

    name: str = field(metadata=view_named("queue_name"))
    arn: str = field(metadata=view_named("queue_arn"))
    attributes: dict[str, str] = field(default_factory=dict, metadata=VIEW_EXCLUDE)
    tags: dict[str, str] = field(default_factory=dict)
    created: float = field(metadata=view_as(EPOCH, "created_timestamp"))
    last_modified: float = field(metadata=view_as(EPOCH, "last_modified_timestamp"))
    last_purge: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH, "last_purged_timestamp"))
    next_sequence: int = field(default=1, metadata=view_named("next_sequence_number"))
    messages: dict[str, Message] = field(default_factory=dict)
    # deduplication key -> (message id, sequence number, time sent): a tuple, as every FIFO send
    # makes one; a view lists them as DeduplicationView (convert.py)
    deduplication: dict[str, tuple[str, str | None, float]] = field(default_factory=dict)
    # ReceiveRequestAttemptId -> (time, [(message id, receipt handle)]): five minutes of retries
    receive_attempts: dict[str, tuple[float, list[tuple[str, str]]]] = field(
        default_factory=dict, metadata=VIEW_EXCLUDE)
    # Derived: the queue type from its name, and the hot path's copies of attributes
    # (``set_attributes`` refreshes them).
    fifo: bool = field(init=False, metadata=VIEW_EXCLUDE)
    visibility_timeout: int = field(init=False, metadata=VIEW_EXCLUDE)
    delay_seconds: int = field(init=False, metadata=VIEW_EXCLUDE)
    retention: int = field(init=False, metadata=VIEW_EXCLUDE)
    maximum_message_size: int = field(init=False, metadata=VIEW_EXCLUDE)
    wait_time_seconds: int = field(init=False, metadata=VIEW_EXCLUDE)
    redrive_target: str | None = field(init=False, metadata=VIEW_EXCLUDE)
    max_receive_count: int = field(init=False, metadata=VIEW_EXCLUDE)

    def __post_init__(self) -> None:
        """Every queue has the defaults of its type; ``attributes`` (already validated) apply over them."""
        self.fifo = self.name.endswith(".fifo")
        given, self.attributes = self.attributes, dict(STANDARD_DEFAULTS)
        if self.fifo:
            self.attributes.update(FIFO_DEFAULTS)
        self.set_attributes(given)

    # -- attributes ---------------------------------------------------------------------
    def set_attributes(self, attributes: dict[str, str], modified_at: float | None = None) -> None:
        """Apply already validated attributes; an empty optional attribute removes it.
        ``modified_at`` (a SetQueueAttributes) becomes LastModifiedTimestamp."""
        for name, value in attributes.items():
            if name in OPTIONAL and value == "":
                self.attributes.pop(name, None)
            else:
                self.attributes[name] = value
        if "KmsMasterKeyId" in attributes:
            if self.attributes.get("KmsMasterKeyId"):
                self.attributes.setdefault("KmsDataKeyReusePeriodSeconds", "300")
                self.attributes["SqsManagedSseEnabled"] = "false"
            else:
                self.attributes.pop("KmsDataKeyReusePeriodSeconds", None)
        attrs = self.attributes
        self.visibility_timeout = int(attrs["VisibilityTimeout"])
        self.delay_seconds = int(attrs["DelaySeconds"])
        self.retention = int(attrs["MessageRetentionPeriod"])
        self.maximum_message_size = int(attrs["MaximumMessageSize"])
        self.wait_time_seconds = int(attrs["ReceiveMessageWaitTimeSeconds"])
        redrive = attrs.get("RedrivePolicy")
        if redrive:
            policy = json.loads(redrive)
            self.redrive_target, self.max_receive_count = policy["deadLetterTargetArn"], int(policy["maxReceiveCount"])
        else:
            self.redrive_target, self.max_receive_count = None, 0
        if modified_at is not None:
            self.last_modified = modified_at

    @property
    def content_based_deduplication(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication") == "true"

    def counts(self, now: float) -> tuple[int, int, int]:
        """(visible, in flight, delayed) after dropping expired messages."""
        self.expire(now)
        visible = in_flight = delayed = 0
        for message in self.messages.values():
            if message.visible_at <= now:
                visible += 1
            elif message.receipt_handle is not None:
                in_flight += 1
            else:
                delayed += 1
        return visible, in_flight, delayed

    def expire(self, now: float) -> None:
        cutoff = now - self.retention
        expired = [mid for mid, message in self.messages.items() if message.sent <= cutoff]
        for mid in expired:
            del self.messages[mid]

    # -- sending ------------------------------------------------------------------------
    def deduplication_key(self, group_id: str | None, deduplication_id: str) -> str:
        if self.attributes.get("DeduplicationScope") == "messageGroup":
            return f"{group_id}\n{deduplication_id}"
        return deduplication_id

    def duplicate_of(self, key: str, now: float) -> tuple[str, str | None] | None:
        """The message a deduplication key already produced within the window, if any."""
        entry = self.deduplication.get(key)
        if entry is None:
            return None
        if now - entry[2] >= DEDUPLICATION_WINDOW:
            del self.deduplication[key]
            return None
        return entry[0], entry[1]

    def content_deduplication_id(self, body: str) -> str:
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def enqueue(self, message: Message) -> Message:
        """Append a message (FIFO queues number it and remember its deduplication key)."""
        if self.fifo:
            message.sequence_number = f"{self.next_sequence:020d}"
            self.next_sequence += 1
            _forget_before(self.deduplication, message.sent - DEDUPLICATION_WINDOW, 2)
            _forget_before(self.receive_attempts, message.sent - RECEIVE_ATTEMPT_WINDOW, 0)
            if message.deduplication_id is not None:
                key = self.deduplication_key(message.group_id, message.deduplication_id)
                self.deduplication[key] = (message.message_id, message.sequence_number, message.sent)
        self.messages[message.message_id] = message
        return message

    # -- receiving ----------------------------------------------------------------------
    def receivable(self, now: float) -> Generator[Message, None, None]:
        """Messages that may be received now, in delivery order. FIFO: only the head of each
        message group, and nothing from a group that has a message in flight or delayed."""
        cutoff = now - self.retention
        expired: list[str] = []
        blocked: set[str | None] = set()
        try:
            for message in self.messages.values():
                if message.sent <= cutoff:
                    expired.append(message.message_id)
                    continue
                if self.fifo:
                    if message.group_id in blocked:
                        continue
                    if message.visible_at > now:
                        blocked.add(message.group_id)
                        continue
                elif message.visible_at > now:
                    continue
                yield message
        finally:
            for mid in expired:
                self.messages.pop(mid, None)

    def mark_received(self, message: Message, visibility_timeout: int, now: float) -> str:
        message.receive_count += 1
        if message.first_receive is None:
            message.first_receive = now
        message.visible_at = now + visibility_timeout
        message.receipt_handle = make_receipt_handle(self.name, message.message_id)
        return message.receipt_handle

    def remembered_attempt(self, attempt_id: str, now: float) -> list[Message] | None:
        """The messages an earlier receive with this ReceiveRequestAttemptId returned, when that
        receive was recent and its messages are still in flight with the same handles."""
        entry = self.receive_attempts.get(attempt_id)
        if entry is None:
            return None
        when, handles = entry
        if now - when >= RECEIVE_ATTEMPT_WINDOW:
            del self.receive_attempts[attempt_id]
            return None
        messages = []
        for mid, handle in handles:
            message = self.messages.get(mid)
            if message is not None and message.receipt_handle == handle:
                messages.append(message)
        return messages

    # -- handles --------------------------------------------------------------------------
    def message_for_handle(self, handle: str) -> Message | None:
        """The message a receipt handle names (None when it was deleted or expired)."""
        queue_name, message_id = parse_receipt_handle(handle)
        if queue_name != self.name:
            raise errors.ReceiptHandleIsInvalid(f'The input receipt handle "{handle}" is not a valid receipt handle.')
        return self.messages.get(message_id)

    def delete_message(self, handle: str) -> None:
        message = self.message_for_handle(handle)
        if message is not None:
            del self.messages[message.message_id]

    def purge(self, now: float) -> None:
        self.messages.clear()
        self.receive_attempts.clear()
        self.last_purge = now


def _forget_before(entries: dict[str, Any], cutoff: float, time_index: int) -> None:
    """Drop the oldest entries of an insertion-ordered window whose time is before ``cutoff``,
    so deduplication ids and receive attempts cost memory only for their five minutes."""
    while entries:
        key = next(iter(entries))
        if entries[key][time_index] >= cutoff:
            return
        del entries[key]


@dataclass(slots=True, eq=False, kw_only=True)
class MoveTask:
    """A StartMessageMoveTask: moves a dead-letter queue's messages back to their sources (or
    to one destination). hoarfrost runs it to completion when it starts, so a task a view
    gives no status has completed."""

    task_id: str
    source_arn: str
    destination_arn: str | None = None
    max_per_second: int | None = field(default=None, metadata=view_named("max_number_of_messages_per_second"))
    status: str = "COMPLETED"
    moved: int = field(default=0, metadata=view_named("approximate_number_of_messages_moved"))
    to_move: int = field(default=0, metadata=view_named("approximate_number_of_messages_to_move"))
    failure_reason: str | None = None
    started: float = field(metadata=view_as(EPOCH, "started_timestamp"))

    @property
    def handle(self) -> str:
        raw = json.dumps({"taskId": self.task_id, "sourceArn": self.source_arn}, separators=(",", ":"))
        return base64.b64encode(raw.encode()).decode("ascii")


def parse_task_handle(handle: str) -> tuple[str, str] | None:
    try:
        raw = json.loads(base64.b64decode(handle.encode("ascii"), validate=True))
        return str(raw["taskId"]), str(raw["sourceArn"])
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error):
        return None


@dataclass(slots=True, eq=False, kw_only=True)
class DeletedQueue:
    """A queue deleted less than a minute ago: its name cannot be reused yet."""

    name: str = field(metadata=view_named("queue_name"))
    deleted: float = field(metadata=view_as(EPOCH, "deleted_timestamp"))


class SqsBackend:
    """One account/region: its queues by name, recently deleted names, move tasks."""

    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.region = region
        self.queues: dict[str, Queue] = {}
        self.deleted: dict[str, DeletedQueue] = {}
        self.move_tasks: list[MoveTask] = []

    def queue(self, name: str) -> Queue:
        queue = self.queues.get(name)
        if queue is None:
            raise queue_does_not_exist()
        return queue

    def queue_by_arn(self, arn: str) -> Queue | None:
        """This scope's queue that ``arn`` names exactly (partition, region and account too)."""
        parsed = try_parse_arn(arn)
        queue = self.queues.get(parsed.resource) if parsed is not None else None
        if queue is None or queue.arn != arn:
            return None
        return queue

    def recently_deleted(self, name: str, now: float) -> bool:
        deleted = self.deleted.get(name)
        if deleted is None:
            return False
        if now - deleted.deleted >= DELETED_QUEUE_QUARANTINE:
            del self.deleted[name]
            return False
        return True

    def dead_letter_sources(self, queue: Queue) -> list[Queue]:
        return [q for q in self.queues.values() if q.redrive_target == queue.arn]


def millis(seconds: float) -> int:
    """Epoch milliseconds, as SQS's message system attributes state times."""
    return int(seconds * 1000)
