"""SQS's internal state: queues holding messages, per account/region.

Plain classes shaped for the hot path (send, receive, delete): a queue keeps its messages in
one insertion-ordered dict (message id -> message), which is both the delivery order and the
index a receipt handle resolves through. Expired messages are dropped lazily while scanning.
Nothing here knows about the wire; handlers translate requests into these calls.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections.abc import Generator
from typing import Any

from hoarfrost.core.kit.arn import build_arn, try_parse_arn
from hoarfrost.services.sqs.attributes import FIFO_DEFAULTS, OPTIONAL, STANDARD_DEFAULTS
from hoarfrost.services.sqs.errors import errors, queue_does_not_exist
from hoarfrost.services.sqs.md5 import md5_of_attributes, md5_of_body

DEDUPLICATION_WINDOW = 300.0  # seconds a FIFO deduplication id is remembered
RECEIVE_ATTEMPT_WINDOW = 300.0  # seconds a ReceiveRequestAttemptId is remembered
PURGE_INTERVAL = 60.0  # one PurgeQueue per queue per minute
DELETED_QUEUE_QUARANTINE = 60.0  # a deleted queue's name is reusable after a minute


class Message:
    """One message and its delivery state. ``visible_at`` is when it can next be received
    (after a delay or a visibility timeout); ``receipt_handle`` is set while it is in flight."""

    __slots__ = (
        "message_id", "body", "md5_body", "attributes", "md5_attributes", "system_attributes",
        "md5_system_attributes", "sent", "visible_at", "receive_count", "first_receive",
        "group_id", "deduplication_id", "sequence_number", "sender_id", "dead_letter_source_arn",
        "receipt_handle",
    )

    def __init__(
        self,
        body: str,
        *,
        message_id: str | None = None,
        attributes: dict[str, dict[str, Any]] | None = None,
        system_attributes: dict[str, dict[str, Any]] | None = None,
        sent: float,
        visible_at: float = 0.0,
        group_id: str | None = None,
        deduplication_id: str | None = None,
        sequence_number: str | None = None,
        sender_id: str = "",
    ) -> None:
        self.message_id = message_id or str(uuid.uuid4())
        self.body = body
        self.md5_body = md5_of_body(body)
        self.attributes = attributes or {}
        self.md5_attributes = md5_of_attributes(self.attributes)
        self.system_attributes = system_attributes or {}
        self.md5_system_attributes = md5_of_attributes(self.system_attributes)
        self.sent = sent
        self.visible_at = visible_at
        self.receive_count = 0
        self.first_receive: float | None = None
        self.group_id = group_id
        self.deduplication_id = deduplication_id
        self.sequence_number = sequence_number
        self.sender_id = sender_id
        self.dead_letter_source_arn: str | None = None
        self.receipt_handle: str | None = None

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


class Queue:
    """A standard or FIFO queue."""

    def __init__(self, name: str, account: str, region: str, attributes: dict[str, str],
                 tags: dict[str, str] | None = None, *, created: float) -> None:
        self.name = name
        self.account = account
        self.region = region
        self.arn = build_arn("sqs", region, account, name)
        self.fifo = name.endswith(".fifo")
        self.attributes: dict[str, str] = dict(STANDARD_DEFAULTS)
        if self.fifo:
            self.attributes.update(FIFO_DEFAULTS)
        self.tags: dict[str, str] = dict(tags or {})
        self.created = created
        self.last_modified = self.created
        self.messages: dict[str, Message] = {}
        self.last_purge: float | None = None
        self.next_sequence = 1
        # deduplication key -> (message id, sequence number, time sent)
        self.deduplication: dict[str, tuple[str, str | None, float]] = {}
        # ReceiveRequestAttemptId -> (time, [(message id, receipt handle)])
        self.receive_attempts: dict[str, tuple[float, list[tuple[str, str]]]] = {}
        # hot-path copies of numeric attributes, refreshed by set_attributes
        self.visibility_timeout = 30
        self.delay_seconds = 0
        self.retention = 345_600
        self.maximum_message_size = 1_048_576
        self.wait_time_seconds = 0
        self.redrive_target: str | None = None
        self.max_receive_count = 0
        self.set_attributes(attributes)

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


class MoveTask:
    """A StartMessageMoveTask: moves a dead-letter queue's messages back to their sources (or
    to one destination). hoarfrost runs it to completion when it starts."""

    __slots__ = ("task_id", "source_arn", "destination_arn", "max_per_second", "status", "moved", "to_move",
                 "failure_reason", "started")

    def __init__(self, source_arn: str, destination_arn: str | None, max_per_second: int | None,
                 started: float, task_id: str | None = None) -> None:
        self.task_id = task_id or str(uuid.uuid4())
        self.source_arn = source_arn
        self.destination_arn = destination_arn
        self.max_per_second = max_per_second
        self.status = "RUNNING"
        self.moved = 0
        self.to_move = 0
        self.failure_reason: str | None = None
        self.started = started

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


class SqsBackend:
    """One account/region: its queues by name, recently deleted names, move tasks."""

    def __init__(self, account: str, region: str) -> None:
        self.account = account
        self.region = region
        self.queues: dict[str, Queue] = {}
        self.deleted: dict[str, float] = {}  # queue name -> when it was deleted
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
        when = self.deleted.get(name)
        if when is None:
            return False
        if now - when >= DELETED_QUEUE_QUARANTINE:
            del self.deleted[name]
            return False
        return True

    def dead_letter_sources(self, queue: Queue) -> list[Queue]:
        return [q for q in self.queues.values() if q.redrive_target == queue.arn]


def millis(seconds: float) -> int:
    """Epoch milliseconds, as SQS's message system attributes state times."""
    return int(seconds * 1000)
