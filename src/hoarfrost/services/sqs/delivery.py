"""Sending and receiving, shared by SendMessage(Batch), ReceiveMessage and other services'
deliveries (SNS → SQS): validation, FIFO deduplication, dead-letter moves, and the shape of a
received message. Callers hold the scope's lock."""

from __future__ import annotations

from typing import Any, cast

from hoarfrost.services.sqs import checks
from hoarfrost.services.sqs.errors import (
    errors,
    invalid_parameter,
    missing_parameter,
)
from hoarfrost.services.sqs.md5 import md5_of_attributes
from hoarfrost.services.sqs.state import Message, Queue, SqsBackend, millis, new_id

MAX_DELAY_SECONDS = 900
MAX_VISIBILITY_TIMEOUT = 43_200
MAX_WAIT_TIME_SECONDS = 20
MAX_RECEIVE_MESSAGES = 10

_ALL_SYSTEM_ATTRIBUTES = (
    "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
    "SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader", "DeadLetterQueueSourceArn",
)


class PreparedMessage:
    """A send request that passed every check, ready to enqueue (batches check all entries
    before sending any, and need each entry's size for the batch limit)."""

    __slots__ = ("body", "attributes", "system_attributes", "size", "delay", "group_id", "deduplication_id")

    def __init__(self, body: str, attributes: dict[str, dict[str, Any]], system_attributes: dict[str, dict[str, Any]],
                 size: int, delay: int, group_id: str | None, deduplication_id: str | None) -> None:
        self.body = body
        self.attributes = attributes
        self.system_attributes = system_attributes
        self.size = size
        self.delay = delay
        self.group_id = group_id
        self.deduplication_id = deduplication_id


def prepare(queue: Queue, entry: dict[str, Any]) -> PreparedMessage:
    """Validate one SendMessage input (or batch entry) against its queue."""
    body = checks.check_body(entry.get("MessageBody"))
    attributes = checks.check_message_attributes(entry.get("MessageAttributes"))
    system_attributes = checks.check_system_attributes(entry.get("MessageSystemAttributes"))
    size = checks.message_size(body, attributes)
    checks.check_message_size(size, queue.maximum_message_size)
    delay = entry.get("DelaySeconds")
    group_id = entry.get("MessageGroupId")
    deduplication_id = entry.get("MessageDeduplicationId")
    if group_id is not None:
        checks.check_group_id(group_id)
    if queue.fifo:
        if delay:
            raise invalid_parameter("DelaySeconds", delay, "The request include parameter that is not valid for "
                                    "this queue type")
        check_fifo_keys(queue, entry)
        if deduplication_id is None:
            deduplication_id = queue.content_deduplication_id(body)
        else:
            checks.check_group_id(deduplication_id, "MessageDeduplicationId")
        delay = queue.delay_seconds
    else:
        if deduplication_id is not None:
            raise invalid_parameter("MessageDeduplicationId", deduplication_id, "The request include parameter "
                                    "that is not valid for this queue type")
        if delay is None:
            delay = queue.delay_seconds
        elif not 0 <= delay <= MAX_DELAY_SECONDS:
            raise invalid_parameter("DelaySeconds", delay, f"DelaySeconds must be >= 0 and <= {MAX_DELAY_SECONDS}")
    return PreparedMessage(body, attributes, system_attributes, size, delay, group_id, deduplication_id)


def check_fifo_keys(queue: Queue, entry: dict[str, Any]) -> None:
    """A FIFO send names its message group, and a deduplication id unless the queue derives one
    from the body. SendMessageBatch checks every entry with this before any other entry check:
    an entry without them fails the whole request, not just itself."""
    if not entry.get("MessageGroupId"):
        raise missing_parameter("MessageGroupId")
    if entry.get("MessageDeduplicationId") is None and not queue.content_based_deduplication:
        raise errors.InvalidParameterValueException("The queue should either have ContentBasedDeduplication enabled "
                                                    "or MessageDeduplicationId provided explicitly")


def send(queue: Queue, prepared: PreparedMessage, sender_id: str, now: float) -> dict[str, Any]:
    """Enqueue a prepared message; answers as SendMessage does. A FIFO duplicate within the
    deduplication window is accepted and answered with the original's id, and not enqueued."""
    if queue.fifo and prepared.deduplication_id is not None:
        duplicate = queue.duplicate_of(queue.deduplication_key(prepared.group_id, prepared.deduplication_id), now)
        if duplicate is not None:
            message_id, sequence = duplicate
            probe = Message(message_id=message_id, body=prepared.body, attributes=prepared.attributes,
                            system_attributes=prepared.system_attributes, sent=now)
            return _sent(probe, sequence)
    message = queue.enqueue(Message(
        message_id=new_id(),
        body=prepared.body,
        attributes=prepared.attributes,
        system_attributes=prepared.system_attributes,
        sent=now,
        visible_at=now + prepared.delay if prepared.delay else 0.0,
        group_id=prepared.group_id,
        deduplication_id=prepared.deduplication_id,
        sender_id=sender_id,
    ))
    return _sent(message, message.sequence_number)


def _sent(message: Message, sequence: str | None) -> dict[str, Any]:
    output: dict[str, Any] = {"MessageId": message.message_id, "MD5OfMessageBody": message.md5_body}
    if message.md5_attributes:
        output["MD5OfMessageAttributes"] = message.md5_attributes
    if message.md5_system_attributes:
        output["MD5OfMessageSystemAttributes"] = message.md5_system_attributes
    if sequence is not None:
        output["SequenceNumber"] = sequence
    return output


# -- receiving --------------------------------------------------------------------------------
def check_receive(request: dict[str, Any], queue: Queue) -> tuple[int, int, int]:
    """(max messages, visibility timeout, wait seconds) of a ReceiveMessage request."""
    count = request.get("MaxNumberOfMessages")
    if count is None:
        count = 1
    elif not 1 <= count <= MAX_RECEIVE_MESSAGES:
        raise invalid_parameter("MaxNumberOfMessages", count, "Must be between 1 and 10, if provided")
    timeout = request.get("VisibilityTimeout")
    if timeout is None:
        timeout = queue.visibility_timeout
    elif not 0 <= timeout <= MAX_VISIBILITY_TIMEOUT:
        raise invalid_parameter("VisibilityTimeout", timeout, f"Must be >= 0 and <= {MAX_VISIBILITY_TIMEOUT}, if "
                                "provided")
    wait = request.get("WaitTimeSeconds")
    if wait is None:
        wait = queue.wait_time_seconds
    elif not 0 <= wait <= MAX_WAIT_TIME_SECONDS:
        raise invalid_parameter("WaitTimeSeconds", wait, f"Must be >= 0 and <= {MAX_WAIT_TIME_SECONDS}, if provided")
    return count, timeout, wait


def receive(backend: SqsBackend, queue: Queue, count: int, visibility_timeout: int, attempt_id: str | None,
            now: float) -> list[Message]:
    """Take up to ``count`` messages into flight. A message already received maxReceiveCount
    times moves to the dead-letter queue instead of being returned."""
    if attempt_id and queue.fifo:
        remembered = queue.remembered_attempt(attempt_id, now)
        if remembered:
            return remembered
    taken: list[Message] = []
    dead: list[Message] = []
    dead_letter_queue = backend.queue_by_arn(queue.redrive_target) if queue.redrive_target else None
    candidates = queue.receivable(now)
    try:
        for message in candidates:
            if dead_letter_queue is not None and message.receive_count >= queue.max_receive_count:
                dead.append(message)  # FIFO: the group's next message may be taken in this same pass
                continue
            queue.mark_received(message, visibility_timeout, now)
            taken.append(message)
            if len(taken) >= count:
                break
    finally:
        candidates.close()  # drops the expired messages it passed, before any message moves
    for message in dead:  # only collected when there is a dead-letter queue
        move(queue, cast(Queue, dead_letter_queue), message, now)
        message.dead_letter_source_arn = queue.arn
    if attempt_id and queue.fifo and taken:
        queue.receive_attempts[attempt_id] = (now, [(m.message_id, m.receipt_handle or "") for m in taken])
    return taken


def move(source: Queue, destination: Queue, message: Message, now: float) -> None:
    """Move a message between queues (dead-lettering and redrive): it keeps its id, body and
    attributes and is immediately visible at the destination."""
    source.messages.pop(message.message_id, None)
    message.receipt_handle = None
    message.visible_at = 0.0
    if destination.fifo:
        message.sequence_number = f"{destination.next_sequence:020d}"
        destination.next_sequence += 1
        message.sent = now
    destination.messages[message.message_id] = message


def received(message: Message, system_names: set[str], attribute_names: list[str]) -> dict[str, Any]:
    """A received message in ReceiveMessage's output shape, with the requested attributes."""
    output: dict[str, Any] = {
        "MessageId": message.message_id,
        "ReceiptHandle": message.receipt_handle,
        "MD5OfBody": message.md5_body,
        "Body": message.body,
    }
    if system_names:
        system = _system_attributes(message, system_names)
        if system:
            output["Attributes"] = system
    if attribute_names and message.attributes:
        selected = select_attributes(message.attributes, attribute_names)
        if selected:
            output["MessageAttributes"] = selected
            output["MD5OfMessageAttributes"] = (
                message.md5_attributes if len(selected) == len(message.attributes) else md5_of_attributes(selected)
            )
    return output


def requested_system_attributes(request: dict[str, Any]) -> set[str]:
    names = set(request.get("AttributeNames") or ()) | set(request.get("MessageSystemAttributeNames") or ())
    if "All" in names:
        return set(_ALL_SYSTEM_ATTRIBUTES)
    return names


def _system_attributes(message: Message, names: set[str]) -> dict[str, str]:
    values: dict[str, str | None] = {
        "SenderId": message.sender_id,
        "SentTimestamp": str(millis(message.sent)),
        "ApproximateReceiveCount": str(message.receive_count),
        "ApproximateFirstReceiveTimestamp": str(millis(message.first_receive or message.sent)),
        "SequenceNumber": message.sequence_number,
        "MessageDeduplicationId": message.deduplication_id,
        "MessageGroupId": message.group_id,
        "AWSTraceHeader": message.system_attributes.get("AWSTraceHeader", {}).get("StringValue"),
        "DeadLetterQueueSourceArn": message.dead_letter_source_arn,
    }
    return {name: value for name in names if (value := values.get(name)) is not None}


def select_attributes(attributes: dict[str, dict[str, Any]], names: list[str]) -> dict[str, dict[str, Any]]:
    """MessageAttributeNames: ``All``, ``*`` or ``.*`` for every attribute; ``Prefix.*`` for every
    name that starts with ``Prefix`` (as AWS matches it, ``Hel.*`` returns ``Hello`` and
    ``Help.Me``); else exact names."""
    if "All" in names or "*" in names or ".*" in names:
        return attributes
    selected: dict[str, dict[str, Any]] = {}
    prefixes = tuple(name[:-2] for name in names if name.endswith(".*"))
    exact = set(names)
    for name, value in attributes.items():
        if name in exact or (prefixes and name.startswith(prefixes)):
            selected[name] = value
    return selected


def next_visibility_change(queue: Queue, now: float) -> float | None:
    """Seconds until the earliest invisible message becomes visible (for a long poll's wait)."""
    soonest: float | None = None
    for message in queue.messages.values():
        if message.visible_at > now and (soonest is None or message.visible_at < soonest):
            soonest = message.visible_at
    return None if soonest is None else soonest - now
