"""Between SqsBackend (internal) and SqsStateView (what users see), both ways, and the merge.

Queue attributes map onto view fields by botocore's own snake_case rule
(``ReceiveMessageWaitTimeSeconds`` -> ``receive_message_wait_time_seconds``); a view is
checked with the same rules as CreateQueue, so a restored queue is one SQS could have made.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore import xform_name

from hoarfrost.core.views import StateViewError
from hoarfrost.services.sqs.attributes import SETTABLE, check_settable
from hoarfrost.services.sqs.checks import check_queue_name
from hoarfrost.services.sqs.errors import SqsError
from hoarfrost.services.sqs.state import (
    Message,
    MoveTask,
    Queue,
    SqsBackend,
    parse_receipt_handle,
)
from hoarfrost.services.sqs.urls import aws_queue_url
from hoarfrost.services.sqs.views import (
    DeduplicationView,
    DeletedQueueView,
    MessageAttributeView,
    MessageMoveTaskView,
    MessageView,
    QueueView,
    SqsStateView,
)

# Queue attribute name -> view field, and which fields hold numbers or booleans.
_FIELDS = {name: xform_name(name) for name in sorted(SETTABLE)}
_BOOLEANS = frozenset(("FifoQueue", "SqsManagedSseEnabled", "ContentBasedDeduplication"))
_INTEGERS = frozenset(("VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod", "DelaySeconds",
                       "ReceiveMessageWaitTimeSeconds", "KmsDataKeyReusePeriodSeconds"))


def _time(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _seconds(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


# -- backend -> view -----------------------------------------------------------------------------
def to_view(backend: SqsBackend) -> SqsStateView:
    return SqsStateView(
        queues=[_queue_view(queue) for queue in backend.queues.values()],
        recently_deleted=[DeletedQueueView(queue_name=name, deleted_timestamp=_time(when))
                          for name, when in backend.deleted.items()],
        message_move_tasks=[_task_view(task) for task in backend.move_tasks],
    )


def _queue_view(queue: Queue) -> QueueView:
    fields: dict[str, Any] = {}
    for name, value in queue.attributes.items():
        if name in _BOOLEANS:
            fields[_FIELDS[name]] = value == "true"
        elif name in _INTEGERS:
            fields[_FIELDS[name]] = int(value)
        else:
            fields[_FIELDS[name]] = value
    return QueueView(
        queue_name=queue.name,
        queue_url=aws_queue_url(queue.region, queue.account, queue.name),
        queue_arn=queue.arn,
        tags=dict(queue.tags),
        created_timestamp=_time(queue.created),
        last_modified_timestamp=_time(queue.last_modified),
        last_purged_timestamp=_time(queue.last_purge) if queue.last_purge is not None else None,
        next_sequence_number=queue.next_sequence,
        messages=[_message_view(message) for message in queue.messages.values()],
        deduplication=[DeduplicationView(key=key, message_id=mid, sequence_number=seq, sent_timestamp=_time(sent))
                       for key, (mid, seq, sent) in queue.deduplication.items()],
        **fields,
    )


def _attribute_views(attributes: dict[str, dict[str, Any]]) -> dict[str, MessageAttributeView]:
    return {name: MessageAttributeView(data_type=value["DataType"], string_value=value.get("StringValue"),
                                       binary_value=value.get("BinaryValue"))
            for name, value in attributes.items()}


def _message_view(message: Message) -> MessageView:
    return MessageView(
        message_id=message.message_id,
        body=message.body,
        message_attributes=_attribute_views(message.attributes),
        message_system_attributes=_attribute_views(message.system_attributes),
        sent_timestamp=_time(message.sent),
        visible_after=_time(message.visible_at) if message.visible_at else None,
        approximate_receive_count=message.receive_count,
        approximate_first_receive_timestamp=_time(message.first_receive) if message.first_receive else None,
        receipt_handle=message.receipt_handle,
        message_group_id=message.group_id,
        message_deduplication_id=message.deduplication_id,
        sequence_number=message.sequence_number,
        sender_id=message.sender_id,
        dead_letter_queue_source_arn=message.dead_letter_source_arn,
    )


def _task_view(task: MoveTask) -> MessageMoveTaskView:
    return MessageMoveTaskView(
        task_id=task.task_id, source_arn=task.source_arn, destination_arn=task.destination_arn,
        max_number_of_messages_per_second=task.max_per_second, status=task.status,
        approximate_number_of_messages_moved=task.moved, approximate_number_of_messages_to_move=task.to_move,
        failure_reason=task.failure_reason, started_timestamp=_time(task.started),
    )


# -- view -> backend -----------------------------------------------------------------------------
def from_view(view: SqsStateView, account: str, region: str, now: float) -> SqsBackend:
    """A new backend from a view; StateViewError('invalid') names the first thing SQS would refuse."""
    backend = SqsBackend(account, region)
    for queue_view in view.queues:
        if queue_view.queue_name in backend.queues:
            raise StateViewError("invalid", f"sqs: queue {queue_view.queue_name!r} appears twice in the view")
        backend.queues[queue_view.queue_name] = _queue(queue_view, account, region, now)
    for deleted in view.recently_deleted:
        backend.deleted[deleted.queue_name] = _seconds(deleted.deleted_timestamp)
    for task_view in view.message_move_tasks:
        task = MoveTask(task_view.source_arn, task_view.destination_arn,
                        task_view.max_number_of_messages_per_second, _seconds(task_view.started_timestamp),
                        task_id=task_view.task_id)
        task.status = task_view.status
        task.moved = task_view.approximate_number_of_messages_moved
        task.to_move = task_view.approximate_number_of_messages_to_move
        task.failure_reason = task_view.failure_reason
        backend.move_tasks.append(task)
    return backend


def _queue(view: QueueView, account: str, region: str, now: float) -> Queue:
    name = view.queue_name
    attributes: dict[str, str] = {}
    for attribute, field in _FIELDS.items():
        value = getattr(view, field)
        if value is None:
            continue
        attributes[attribute] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    if name.endswith(".fifo") != view.fifo_queue:
        raise StateViewError("invalid", f"sqs: queue {name!r}: fifo_queue must be true exactly when the name "
                                        "ends with .fifo")
    if not view.fifo_queue:
        attributes.pop("FifoQueue", None)  # check_settable names any FIFO-only attribute left
    try:
        check_queue_name(name, view.fifo_queue)
        checked = check_settable(attributes, view.fifo_queue, creating=True)
    except SqsError as error:
        raise StateViewError("invalid", f"sqs: queue {name!r}: {error.code}: {error.message}") from error
    created = _seconds(view.created_timestamp) if view.created_timestamp else now
    queue = Queue(name, account, region, checked, view.tags, created=created)
    if view.last_modified_timestamp:
        queue.last_modified = _seconds(view.last_modified_timestamp)
    if view.last_purged_timestamp:
        queue.last_purge = _seconds(view.last_purged_timestamp)
    queue.next_sequence = view.next_sequence_number
    for message_view in view.messages:
        if message_view.message_id in queue.messages:
            raise StateViewError("invalid", f"sqs: queue {name!r}: message {message_view.message_id!r} appears twice")
        queue.messages[message_view.message_id] = _message(message_view, name)
    for entry in view.deduplication:
        queue.deduplication[entry.key] = (entry.message_id, entry.sequence_number, _seconds(entry.sent_timestamp))
    return queue


def _attributes(views: dict[str, MessageAttributeView]) -> dict[str, dict[str, Any]]:
    attributes: dict[str, dict[str, Any]] = {}
    for name, view in views.items():
        value: dict[str, Any] = {"DataType": view.data_type}
        if view.data_type.startswith("Binary"):
            if view.binary_value is None:
                raise StateViewError("invalid", f"sqs: binary message attribute {name!r} has no binary_value")
            value["BinaryValue"] = view.binary_value
        else:
            if view.string_value is None:
                raise StateViewError("invalid", f"sqs: message attribute {name!r} has no string_value")
            value["StringValue"] = view.string_value
        attributes[name] = value
    return attributes


def _message(view: MessageView, queue_name: str) -> Message:
    message = Message(
        view.body,
        message_id=view.message_id,
        attributes=_attributes(view.message_attributes),
        system_attributes=_attributes(view.message_system_attributes),
        sent=_seconds(view.sent_timestamp),
        visible_at=_seconds(view.visible_after) if view.visible_after else 0.0,
        group_id=view.message_group_id,
        deduplication_id=view.message_deduplication_id,
        sequence_number=view.sequence_number,
        sender_id=view.sender_id,
    )
    message.receive_count = view.approximate_receive_count
    if view.approximate_first_receive_timestamp:
        message.first_receive = _seconds(view.approximate_first_receive_timestamp)
    message.dead_letter_source_arn = view.dead_letter_queue_source_arn
    if view.receipt_handle is not None:
        try:
            handle_queue, handle_message = parse_receipt_handle(view.receipt_handle)
        except SqsError:
            handle_queue = handle_message = ""
        if (handle_queue, handle_message) != (queue_name, view.message_id):
            raise StateViewError("invalid", f"sqs: message {view.message_id!r}: receipt_handle is not one hoarfrost "
                                            f"issued for this message in queue {queue_name!r}")
        message.receipt_handle = view.receipt_handle
    return message


# -- merge ----------------------------------------------------------------------------------------
def merge(target: SqsBackend, source: SqsBackend) -> None:
    """Add ``source`` to ``target`` by the view contract's merge rule (see views.py)."""
    for name, queue in source.queues.items():
        existing = target.queues.get(name)
        if existing is None:
            target.queues[name] = queue
            continue
        existing.attributes = queue.attributes
        existing.set_attributes({})
        existing.tags = queue.tags
        existing.last_modified = queue.last_modified
        existing.messages.update(queue.messages)
        existing.deduplication.update(queue.deduplication)
        existing.next_sequence = max(existing.next_sequence, queue.next_sequence)
    for name, when in source.deleted.items():
        if name not in target.queues:
            target.deleted[name] = when
    known = {task.task_id for task in target.move_tasks}
    target.move_tasks.extend(task for task in source.move_tasks if task.task_id not in known)
