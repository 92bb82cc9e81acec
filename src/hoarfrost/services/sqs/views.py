"""SqsStateView: one account/region of SQS as plain, typed data.

A view holds every queue with its attributes, tags and messages in delivery order, including
messages in flight (their receipt handle and when they become visible again), so a restore
brings queues back exactly as they were. It also holds the names of queues deleted within the
last minute (which cannot be re-created yet) and the message move tasks.

The models take their fields from state.py's records (``record_view``); what is declared here
is only what a view holds that a record does not, or holds differently: a queue's attributes
as typed fields, its informational URL and ARN, times a partial view may leave out.

Merge (the rule every service follows): a queue whose name already exists takes the view's
attributes and tags, and its messages merge by message id (a message in the view replaces the
one with the same id, new ones are appended); queues not in the view are kept, never removed.
Recently-deleted markers are added (except for queues that exist), move tasks merge by task id.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, model_validator

from hoarfrost.core.kit.records import RecordView, record_view
from hoarfrost.core.views import StateView, ViewModel
from hoarfrost.services.sqs.state import DeletedQueue, Message, MoveTask, Queue


class MessageAttributeView(ViewModel):
    """A message attribute: ``data_type`` String/Number/Binary (optionally with a custom suffix)."""

    data_type: str
    string_value: str | None = None
    binary_value: bytes | None = None

    @model_validator(mode="after")
    def _has_its_value(self) -> MessageAttributeView:
        """SendMessage takes no attribute without the value its type needs; neither does a view."""
        if self.data_type.startswith("Binary"):
            if self.binary_value is None:
                raise ValueError(f"a {self.data_type} message attribute needs a binary_value")
        elif self.string_value is None:
            raise ValueError(f"a {self.data_type} message attribute needs a string_value")
        return self


@record_view(Message, key="message_id")
class MessageView(RecordView):
    """One message, with its delivery state."""


class DeduplicationView(ViewModel):
    """A FIFO deduplication id remembered for five minutes after its send."""

    # Not a record view: a queue keeps these as tuples, one made by every FIFO send (convert.py
    # turns them into this and back).
    key: str
    message_id: str
    sequence_number: str | None = None
    sent_timestamp: datetime


@record_view(Queue, key="queue_name", exclude=("deduplication",))
class QueueView(RecordView):
    """A queue: its settable attributes (typed), tags and messages. ``queue_url`` and ``queue_arn``
    are informational (the URL's host depends on how a client reaches hoarfrost)."""

    queue_url: str | None = None
    queue_arn: str | None = None
    # The settable attributes, each named by botocore's snake_case rule (convert.py).
    fifo_queue: bool = False
    visibility_timeout: int = 30
    maximum_message_size: int = 1_048_576
    message_retention_period: int = 345_600
    delay_seconds: int = 0
    receive_message_wait_time_seconds: int = 0
    sqs_managed_sse_enabled: bool = True
    policy: str | None = None
    redrive_policy: str | None = None
    redrive_allow_policy: str | None = None
    kms_master_key_id: str | None = None
    kms_data_key_reuse_period_seconds: int | None = None
    content_based_deduplication: bool | None = None
    deduplication_scope: str | None = None
    fifo_throughput_limit: str | None = None
    # Left out, a queue was created when it is restored, and last modified then.
    created_timestamp: datetime | None = None
    last_modified_timestamp: datetime | None = None
    deduplication: list[DeduplicationView] = Field(default_factory=list)


@record_view(DeletedQueue, key="queue_name")
class DeletedQueueView(RecordView):
    """A queue deleted less than a minute ago: its name cannot be reused yet."""


@record_view(MoveTask, key="task_id")
class MessageMoveTaskView(RecordView):
    """A message move task (StartMessageMoveTask) and how far it got."""


class SqsStateView(StateView):
    """SQS in one account/region: queues (in creation order) with their messages."""

    queues: list[QueueView] = Field(default_factory=list)
    recently_deleted: list[DeletedQueueView] = Field(default_factory=list)
    message_move_tasks: list[MessageMoveTaskView] = Field(default_factory=list)
