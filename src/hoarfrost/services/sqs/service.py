"""SqsService: SQS's backends, its view conversions, its scope rule and its delivery sink.

Other services deliver into queues through the emulator's delivery port
(``emulator.deliver(queue_arn, message)``), which ends in ``SqsService.receive``: SendMessage
from outside, after the sender released its own lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.ports import Message
from hoarfrost.core.views import StatefulService
from hoarfrost.services.sqs import convert, delivery
from hoarfrost.services.sqs.errors import queue_does_not_exist
from hoarfrost.services.sqs.handlers import ops
from hoarfrost.services.sqs.handlers.common import owner_of
from hoarfrost.services.sqs.state import SqsBackend
from hoarfrost.services.sqs.views import SqsStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator


class SqsService(StatefulService[SqsBackend, SqsStateView]):
    name: ClassVar[str] = "sqs"
    view_type: ClassVar[type[SqsStateView]] = SqsStateView
    operations = ops
    # Handlers check what SQS checks, with SQS's codes (see handlers.common.operation).
    validates_input: ClassVar[bool] = False

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        emulator.ports.register("sqs", self.receive, self.has_queue)
        emulator.ports.register_policy_source("sqs", self.queue_policy)

    def new_backend(self, account: str, region: str) -> SqsBackend:
        return SqsBackend(account, region)

    def to_view(self, backend: SqsBackend, account: str, region: str) -> SqsStateView:
        return convert.to_view(backend)

    def from_view(self, view: SqsStateView, account: str, region: str) -> SqsBackend:
        return convert.from_view(view, account, region, self.clock.time())

    def merge_backend(self, target: SqsBackend, source: SqsBackend) -> None:
        convert.merge(target, source)

    def scope_for(self, operation: str, request: dict[str, Any], account: str, region: str) -> tuple[str, str]:
        """The queue owner's scope: the account a QueueUrl (or GetQueueUrl's
        QueueOwnerAWSAccountId) names. Another account's queue is reachable (queue policies are
        not evaluated); an account that never had a queue has none to find."""
        url = request.get("QueueUrl")
        owner = owner_of(url) if isinstance(url, str) else request.get("QueueOwnerAWSAccountId")
        if not owner or owner == account:
            return account, region
        if self.backends.existing(owner, region) is None:
            raise queue_does_not_exist()
        return owner, region

    def queue_policy(self, arn: str) -> str | None:
        """The queue's Policy attribute (IAM enforcement reads it without a lock)."""
        parsed = try_parse_arn(arn)
        scope = self.backends.existing(parsed.account, parsed.region) if parsed is not None else None
        queue = scope.backend.queues.get(parsed.resource) if scope is not None and parsed is not None else None
        return queue.attributes.get("Policy") if queue is not None else None

    def has_queue(self, target_arn: str) -> bool:
        """The port's probe: a lock-free look (one dict membership test) for the queue."""
        arn = try_parse_arn(target_arn)
        scope = self.backends.existing(arn.account, arn.region) if arn is not None else None
        return scope is not None and arn is not None and arn.resource in scope.backend.queues

    def receive(self, target_arn: str, message: Message) -> str:
        """The delivery port's sink: SendMessage into the queue ``target_arn`` names, from
        another service (SNS subscriptions, S3 events); returns the message id.

        Raises QueueDoesNotExist when there is no such queue, or the SendMessage error for an
        invalid message. Wakes long polls and tells the queue owner's listeners."""
        arn = try_parse_arn(target_arn)
        scope = self.backends.existing(arn.account, arn.region) if arn is not None else None
        if arn is None or scope is None:
            raise queue_does_not_exist()
        request: dict[str, Any] = {"MessageBody": message.body}
        if message.attributes:
            request["MessageAttributes"] = dict(message.attributes)
        if message.group_id is not None:
            request["MessageGroupId"] = message.group_id
        if message.deduplication_id is not None:
            request["MessageDeduplicationId"] = message.deduplication_id
        with scope.lock:
            queue = scope.backend.queues.get(arn.resource)
            if queue is None:
                raise queue_does_not_exist()
            output = delivery.send(queue, delivery.prepare(queue, request), message.sender or arn.account,
                                   self.clock.time())
            scope.wake()
        self.notify_state_changed(arn.account, arn.region, "SendMessage")
        return str(output["MessageId"])
