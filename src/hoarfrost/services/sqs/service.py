"""Amazon SQS: standard and FIFO queues, over the json and the query protocol.

``SERVICE`` is the StatefulService the emulator instantiates. Other services deliver into
queues through ``SqsService.deliver_message`` (SNS subscriptions), which behaves as SendMessage.
"""

from __future__ import annotations

from typing import Any, ClassVar

from hoarfrost.core.views import StatefulService
from hoarfrost.services.sqs import convert, delivery
from hoarfrost.services.sqs.errors import queue_does_not_exist
from hoarfrost.services.sqs.handlers import ops
from hoarfrost.services.sqs.state import SqsBackend
from hoarfrost.services.sqs.views import SqsStateView




class SqsService(StatefulService[SqsBackend, SqsStateView]):
    name: ClassVar[str] = "sqs"
    view_type: ClassVar[type[SqsStateView]] = SqsStateView
    operations = ops
    # Handlers check what SQS checks, with SQS's codes (see handlers.common.operation).
    validates_input: ClassVar[bool] = False

    def new_backend(self, account: str, region: str) -> SqsBackend:
        return SqsBackend(account, region)

    def to_view(self, backend: SqsBackend, account: str, region: str) -> SqsStateView:
        return convert.to_view(backend)

    def from_view(self, view: SqsStateView, account: str, region: str) -> SqsBackend:
        return convert.from_view(view, account, region, self.clock.time())

    def merge_backend(self, target: SqsBackend, source: SqsBackend) -> None:
        convert.merge(target, source)

    def deliver_message(
        self,
        account: str,
        region: str,
        queue_name: str,
        body: str,
        message_attributes: dict[str, Any] | None = None,
        message_group_id: str | None = None,
        message_deduplication_id: str | None = None,
    ) -> str:
        """Send into a queue as SendMessage would, from another service; returns the message id.

        Attributes are in SendMessage's input shape (``{"Name": {"DataType": "String",
        "StringValue": "v"}}``). Takes the scope's lock, wakes long polls, notifies listeners;
        raises QueueDoesNotExist when there is no such queue, or the SendMessage error for an
        invalid message."""
        scope = self.backends.scope(account, region)
        request: dict[str, Any] = {"MessageBody": body}
        if message_attributes:
            request["MessageAttributes"] = message_attributes
        if message_group_id is not None:
            request["MessageGroupId"] = message_group_id
        if message_deduplication_id is not None:
            request["MessageDeduplicationId"] = message_deduplication_id
        with scope.lock:
            queue = scope.backend.queues.get(queue_name)
            if queue is None:
                raise queue_does_not_exist()
            output = delivery.send(queue, delivery.prepare(queue, request), account, self.clock.time())
            scope.wake()
        self.notify_state_changed(account, region, "SendMessage")
        return str(output["MessageId"])


