"""KinesisService: Kinesis Data Streams' backends, its view conversions, its scope rule, and
its delivery sink.

Other services put records into a stream through the delivery port
(``emulator.deliver(stream_arn, message)``: EventBridge targets, CloudWatch Logs subscription
filters): the message body becomes the record's data (UTF-8) and its ``group_id``, when given,
the partition key (a random one otherwise, as EventBridge's default is the event id).
CloudWatch Logs hands every destination the Lambda payload ``{"awslogs": {"data": ...}}``;
a Kinesis stream gets what AWS puts there, the gzipped JSON itself (``core.ports.record_bytes``).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.ports import Message, record_bytes
from hoarfrost.core.views import StatefulService
from hoarfrost.services.kinesis import views
from hoarfrost.services.kinesis.access import KinesisAccess
from hoarfrost.services.kinesis.errors import stream_not_found
from hoarfrost.services.kinesis.handlers import ops
from hoarfrost.services.kinesis.handlers.common import stream_name_of
from hoarfrost.services.kinesis.handlers.records import iterator_scope
from hoarfrost.services.kinesis.state import KinesisBackend
from hoarfrost.services.kinesis.views import KinesisStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator

# Request members that name a stream or consumer by ARN, and so its account and region.
_ARN_MEMBERS = ("StreamARN", "ResourceARN", "ConsumerARN")


class KinesisService(StatefulService[KinesisBackend, KinesisStateView]):
    name: ClassVar[str] = "kinesis"
    view_type: ClassVar[type[KinesisStateView]] = KinesisStateView
    operations = ops

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        emulator.ports.register("kinesis", self.receive, self.has_stream)
        emulator.ports.register_policy_source("kinesis", self.resource_policy)
        emulator.ports.register_request_resources("kinesis", KinesisAccess())

    def new_backend(self, account: str, region: str) -> KinesisBackend:
        return KinesisBackend(account, region)

    def to_view(self, backend: KinesisBackend, account: str, region: str) -> KinesisStateView:
        """The scope's streams with the records still within their retention period (those past
        it are dropped first, as the next request would)."""
        now = self.clock.time()
        for stream in backend.streams.values():
            stream.expire(now)
        return views.to_view(backend)

    def from_view(self, view: KinesisStateView, account: str, region: str) -> KinesisBackend:
        return views.from_view(view, account, region)

    def merge_backend(self, target: KinesisBackend, source: KinesisBackend) -> None:
        views.merge(target, source)

    def restore(self, account: str, region: str, view: Any) -> None:
        """As every service's, and a stream's open shards must tile the hash-key space."""
        views.check_complete(self._build(view, account, region))
        super().restore(account, region, view)

    def merge(self, account: str, region: str, view: Any) -> None:
        """As every service's; a stream in the view may hold some of its shards only, as long as
        laid over the existing stream they tile the hash-key space."""
        source = self._build(view, account, region)
        scope = self.backends.scope(account, region)
        with scope.lock:
            views.check_overlay(scope.backend, source)
        super().merge(account, region, view)

    def scope_for(self, operation: str, request: dict[str, Any], account: str, region: str) -> tuple[str, str]:
        """A stream or consumer named by ARN lives in that ARN's account and region; a shard
        iterator in the scope that issued it; the caller's scope otherwise."""
        for member in _ARN_MEMBERS:
            value = request.get(member)
            if isinstance(value, str):
                arn = try_parse_arn(value)
                if arn is not None and arn.service == "kinesis" and arn.account and arn.region:
                    return arn.account, arn.region
        iterator = request.get("ShardIterator")
        if isinstance(iterator, str):
            scope = iterator_scope(iterator)
            if scope is not None:
                return scope
        return account, region

    def _stream_scope(self, arn_text: str) -> tuple[Any, str] | None:
        arn = try_parse_arn(arn_text)
        name = stream_name_of(arn_text)
        if arn is None or name is None:
            return None
        scope = self.backends.existing(arn.account, arn.region)
        return (scope, name) if scope is not None else None

    def has_stream(self, target_arn: str) -> bool:
        """The port's probe: a lock-free look for the stream."""
        found = self._stream_scope(target_arn)
        return found is not None and found[1] in found[0].backend.streams

    def resource_policy(self, arn_text: str) -> str | None:
        """The stream's or consumer's resource policy (IAM enforcement reads it without a lock)."""
        found = self._stream_scope(arn_text)
        stream = found[0].backend.streams.get(found[1]) if found is not None else None
        if stream is None:
            return None
        if "/consumer/" in arn_text:
            consumer = stream.consumers.get(arn_text.split("/consumer/", 1)[1].rsplit(":", 1)[0])
            return consumer.policy if consumer is not None else None
        policy: str | None = stream.policy
        return policy

    def receive(self, target_arn: str, message: Message) -> str:
        """The delivery port's sink: PutRecord into the stream ``target_arn`` names, from another
        service; returns the sequence number. Raises ResourceNotFoundException when there is no
        such stream."""
        arn = try_parse_arn(target_arn)
        if arn is None or not self.has_stream(target_arn):
            raise stream_not_found(stream_name_of(target_arn) or target_arn, arn.account if arn else "")
        request = {"StreamARN": target_arn, "Data": record_bytes(message),
                   "PartitionKey": message.group_id or str(uuid.uuid4())}
        output = self.emulator.call("kinesis", "PutRecord", request, account=arn.account, region=arn.region)
        return str(output["SequenceNumber"])
