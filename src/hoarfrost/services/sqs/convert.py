"""Where SqsBackend and SqsStateView genuinely differ; every other field is the record views'.

* A queue keeps its settable attributes as the strings SQS answers with; its view has one typed
  field each, named by botocore's own snake_case rule (``ReceiveMessageWaitTimeSeconds`` ->
  ``receive_message_wait_time_seconds``).
* A restored queue must be one SQS could have made: its attributes pass CreateQueue's checks
  (which also normalise them, as ``set_attributes`` expects, and rebuild its hot-path caches),
  its name fits its type, and each receipt handle names its own queue and message.
* Where a queue lives is the scope's: a view's ``queue_arn`` and ``queue_url`` are informational.
* A queue remembers FIFO deduplication ids as tuples (its send path makes one per message).
* Merge keeps what SQS never changes on an existing queue: when it was created and purged, and
  its FIFO sequence, which never goes back (a sequence number is never handed out twice).
"""

from __future__ import annotations

from typing import Any

from botocore import xform_name

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.kit.records import EPOCH, merge_keyed
from hoarfrost.core.views import StateViewError
from hoarfrost.services.sqs.attributes import SETTABLE, check_settable
from hoarfrost.services.sqs.checks import check_queue_name
from hoarfrost.services.sqs.state import Queue, SqsBackend, parse_receipt_handle
from hoarfrost.services.sqs.urls import aws_queue_url
from hoarfrost.services.sqs.views import (
    DeduplicationView,
    DeletedQueueView,
    MessageMoveTaskView,
    QueueView,
    SqsStateView,
)

# Queue attribute name -> view field, and which fields hold numbers or booleans.
_FIELDS = {name: xform_name(name) for name in sorted(SETTABLE)}
_BOOLEANS = frozenset(("FifoQueue", "SqsManagedSseEnabled", "ContentBasedDeduplication"))
_INTEGERS = frozenset(("VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod", "DelaySeconds",
                       "ReceiveMessageWaitTimeSeconds", "KmsDataKeyReusePeriodSeconds"))


def to_view(backend: SqsBackend) -> SqsStateView:
    return SqsStateView(
        queues=[_queue_view(queue, backend.account, backend.region) for queue in backend.queues.values()],
        recently_deleted=[DeletedQueueView.of(deleted) for deleted in backend.deleted.values()],
        message_move_tasks=[MessageMoveTaskView.of(task) for task in backend.move_tasks],
    )


def _queue_view(queue: Queue, account: str, region: str) -> QueueView:
    fields: dict[str, Any] = {
        "queue_url": aws_queue_url(region, account, queue.name),
        "deduplication": [DeduplicationView(key=key, message_id=message_id, sequence_number=sequence,
                                            sent_timestamp=EPOCH.to_view(sent))
                          for key, (message_id, sequence, sent) in queue.deduplication.items()],
    }
    for name, value in queue.attributes.items():
        fields[_FIELDS[name]] = value == "true" if name in _BOOLEANS else int(value) if name in _INTEGERS else value
    return QueueView.of(queue).model_copy(update=fields)


def from_view(view: SqsStateView, account: str, region: str, now: float) -> SqsBackend:
    """A new backend from a view; StateViewError('invalid') names the first thing SQS would refuse."""
    backend = SqsBackend(account, region)
    for queue_view in view.queues:
        if queue_view.queue_name in backend.queues:
            raise StateViewError("invalid", f"sqs: queue {queue_view.queue_name!r} appears twice in the view")
        backend.queues[queue_view.queue_name] = _queue(queue_view, account, region, now)
    backend.deleted = {deleted.queue_name: deleted.to_record() for deleted in view.recently_deleted}
    backend.move_tasks = [task.to_record() for task in view.message_move_tasks]
    return backend


def _queue(view: QueueView, account: str, region: str, now: float) -> Queue:
    name = view.queue_name
    if name.endswith(".fifo") != view.fifo_queue:
        raise StateViewError("invalid", f"sqs: queue {name!r}: fifo_queue must be true exactly when the name "
                                        "ends with .fifo")
    attributes: dict[str, str] = {}
    for attribute, field in _FIELDS.items():
        value = getattr(view, field)
        if value is not None:
            attributes[attribute] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    if not view.fifo_queue:
        attributes.pop("FifoQueue", None)  # check_settable names any FIFO-only attribute left
    try:
        check_queue_name(name, view.fifo_queue)
        checked = check_settable(attributes, view.fifo_queue, creating=True)
    except ServiceError as error:
        raise StateViewError("invalid", f"sqs: queue {name!r}: {error.code}: {error.message}") from error
    queue: Queue = view.to_record(arn=build_arn("sqs", region, account, name))
    if view.created_timestamp is None:
        queue.created = now
    if view.last_modified_timestamp is None:
        queue.last_modified = queue.created
    queue.set_attributes(checked)
    queue.deduplication = {entry.key: (entry.message_id, entry.sequence_number, EPOCH.to_record(entry.sent_timestamp))
                           for entry in view.deduplication}
    for message in queue.messages.values():
        if message.receipt_handle is not None and _named_by(message.receipt_handle) != (name, message.message_id):
            raise StateViewError("invalid", f"sqs: message {message.message_id!r}: receipt_handle is not one "
                                            f"hoarfrost issued for this message in queue {name!r}")
    return queue


def _named_by(receipt_handle: str) -> tuple[str, str] | None:
    try:
        return parse_receipt_handle(receipt_handle)
    except ServiceError:
        return None


def merge(target: SqsBackend, source: SqsBackend) -> None:
    """Add ``source`` to ``target`` by the view contract's merge rule (see views.py)."""
    merge_keyed(target.queues, source.queues, _merge_queue)
    merge_keyed(target.deleted, {name: deleted for name, deleted in source.deleted.items()
                                 if name not in target.queues})
    tasks = {task.task_id: task for task in target.move_tasks}
    merge_keyed(tasks, {task.task_id: task for task in source.move_tasks})
    target.move_tasks[:] = tasks.values()


def _merge_queue(existing: Queue, queue: Queue) -> None:
    """The queue takes the view's attributes and tags; messages (each replaced whole, with its
    MD5s) and deduplication ids merge by key."""
    existing.attributes = queue.attributes
    existing.set_attributes({})
    existing.tags = queue.tags
    existing.last_modified = queue.last_modified
    merge_keyed(existing.messages, queue.messages)
    merge_keyed(existing.deduplication, queue.deduplication)
    existing.next_sequence = max(existing.next_sequence, queue.next_sequence)
