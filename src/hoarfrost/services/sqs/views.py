"""SqsStateView: one account/region of SQS as plain, typed data.

A view holds every queue with its attributes, tags and messages in delivery order, including
messages in flight (their receipt handle and when they become visible again), so a restore
brings queues back exactly as they were. It also holds the names of queues deleted within the
last minute (which cannot be re-created yet) and the message move tasks.

Merge (the rule every service follows): a queue whose name already exists takes the view's
attributes and tags, and its messages merge by message id (a message in the view replaces the
one with the same id, new ones are appended); queues not in the view are kept, never removed.
Recently-deleted markers and move tasks are added.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from hoarfrost.core.views import StateView, ViewModel


class MessageAttributeView(ViewModel):
    """A message attribute: ``data_type`` String/Number/Binary (optionally with a custom suffix)."""

    data_type: str
    string_value: str | None = None
    binary_value: bytes | None = None


class MessageView(ViewModel):
    """One message, with its delivery state."""

    message_id: str
    body: str
    message_attributes: dict[str, MessageAttributeView] = Field(default_factory=dict)
    # AWSTraceHeader, as the sender gave it.
    message_system_attributes: dict[str, MessageAttributeView] = Field(default_factory=dict)
    sent_timestamp: datetime
    # When the message can next be received (end of its delay or visibility timeout); None: now.
    visible_after: datetime | None = None
    approximate_receive_count: int = 0
    approximate_first_receive_timestamp: datetime | None = None
    # The handle of the latest receive, while that receive's visibility timeout runs.
    receipt_handle: str | None = None
    message_group_id: str | None = None
    message_deduplication_id: str | None = None
    sequence_number: str | None = None
    sender_id: str = ""
    dead_letter_queue_source_arn: str | None = None


class DeduplicationView(ViewModel):
    """A FIFO deduplication id remembered for five minutes after its send."""

    key: str
    message_id: str
    sequence_number: str | None = None
    sent_timestamp: datetime


class QueueView(ViewModel):
    """A queue: its settable attributes (typed), tags and messages. ``queue_url`` and ``queue_arn``
    are informational (the URL's host depends on how a client reaches hoarfrost)."""

    queue_name: str
    queue_url: str | None = None
    queue_arn: str | None = None
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
    tags: dict[str, str] = Field(default_factory=dict)
    created_timestamp: datetime | None = None
    last_modified_timestamp: datetime | None = None
    last_purged_timestamp: datetime | None = None
    next_sequence_number: int = 1
    messages: list[MessageView] = Field(default_factory=list)
    deduplication: list[DeduplicationView] = Field(default_factory=list)


class DeletedQueueView(ViewModel):
    """A queue deleted less than a minute ago: its name cannot be reused yet."""

    queue_name: str
    deleted_timestamp: datetime


class MessageMoveTaskView(ViewModel):
    task_id: str
    source_arn: str
    destination_arn: str | None = None
    max_number_of_messages_per_second: int | None = None
    status: str = "COMPLETED"
    approximate_number_of_messages_moved: int = 0
    approximate_number_of_messages_to_move: int = 0
    failure_reason: str | None = None
    started_timestamp: datetime


class SqsStateView(StateView):
    """SQS in one account/region: queues (in creation order) with their messages."""

    queues: list[QueueView] = Field(default_factory=list)
    recently_deleted: list[DeletedQueueView] = Field(default_factory=list)
    message_move_tasks: list[MessageMoveTaskView] = Field(default_factory=list)
