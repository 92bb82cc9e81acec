"""FirehoseService: Firehose's backends, view conversions, delivery sink, and the clock-driven
work of its streams: buffer flushes (``delivery``) and Kinesis source polls (``source``).

Both run as timers of the emulator's clock (``emulator.timers``), one of each kind per stream at
most (a new one replaces the old), holding no lock while they call Lambda, S3 or Kinesis; each
re-checks under the scope's lock that its stream still exists.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, ClassVar

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.ports import Message, record_bytes
from hoarfrost.core.timers import Timer
from hoarfrost.core.views import StatefulService
from hoarfrost.services.firehose import delivery, source, views
from hoarfrost.services.firehose.access import FirehoseAccess
from hoarfrost.services.firehose.errors import not_found
from hoarfrost.services.firehose.handlers import ops
from hoarfrost.services.firehose.state import (
    BufferedRecord,
    FirehoseBackend,
    new_record_id,
)
from hoarfrost.services.firehose.views import FirehoseStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator

Key = tuple[str, str, str]  # (account, region, delivery stream name)


class FirehoseService(StatefulService[FirehoseBackend, FirehoseStateView]):
    name: ClassVar[str] = "firehose"
    view_type: ClassVar[type[FirehoseStateView]] = FirehoseStateView
    operations = ops

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        self._timers_lock = threading.Lock()
        self._flushes: dict[Key, Timer] = {}
        self._polls: dict[Key, Timer] = {}
        emulator.ports.register("firehose", self.receive, self.has_stream)
        emulator.ports.register_request_resources("firehose", FirehoseAccess())

    def new_backend(self, account: str, region: str) -> FirehoseBackend:
        return FirehoseBackend(account, region)

    def to_view(self, backend: FirehoseBackend, account: str, region: str) -> FirehoseStateView:
        return views.to_view(backend)

    def from_view(self, view: FirehoseStateView, account: str, region: str) -> FirehoseBackend:
        return views.from_view(view, account, region)

    def merge_backend(self, target: FirehoseBackend, source: FirehoseBackend) -> None:
        views.merge(target, source)

    def backend_replaced(self, account: str, region: str, old: FirehoseBackend | None,
                         new: FirehoseBackend | None) -> None:
        """Restored or merged buffers are delivered when due; restored Kinesis sources are read."""
        for stream in (new.streams.values() if new is not None else ()):
            due = stream.due()
            if due is not None:
                self._arm(self._flushes, (account, region, stream.name), due, self._flush_due)
            if stream.source is not None:
                self._arm(self._polls, (account, region, stream.name), self.clock.time(), self._poll)

    # -- timers -----------------------------------------------------------------------------
    def _arm(self, table: dict[Key, Timer], key: Key, when: float, work: Any) -> None:
        with self._timers_lock:
            old = table.pop(key, None)
            if old is not None:
                old.cancel()
            table[key] = self.emulator.timers.at(when, lambda: work(*key))

    def _stream(self, account: str, region: str, name: str) -> tuple[Any, Any] | None:
        scope = self.backends.existing(account, region)
        if scope is None:
            return None
        return scope, scope.backend.streams.get(name)

    def _due(self, account: str, region: str, name: str) -> float | None:
        """When the stream's buffer must be flushed (None: no stream, or nothing buffered)."""
        scope = self.backends.existing(account, region)
        if scope is None:
            return None
        with scope.lock:
            stream = scope.backend.streams.get(name)
            return stream.due() if stream is not None else None

    def schedule_flush(self, account: str, region: str, name: str) -> None:
        """Arm the flush of the stream's buffer for when its interval runs out."""
        due = self._due(account, region, name)
        if due is not None:
            self._arm(self._flushes, (account, region, name), due, self._flush_due)

    def _flush_due(self, account: str, region: str, name: str) -> None:
        due = self._due(account, region, name)
        if due is None:
            return
        if due > self.clock.time():  # a newer buffer than the one this timer was for
            self._arm(self._flushes, (account, region, name), due, self._flush_due)
            return
        self.flush(account, region, name)

    def flush(self, account: str, region: str, name: str) -> None:
        """Deliver the stream's buffer now (see ``delivery``); a refused write is retried after
        the buffer interval."""
        from hoarfrost.core.emulator import InternalCallError

        found = self._stream(account, region, name)
        if found is None:
            return
        scope, _ = found
        with scope.lock:
            stream = scope.backend.streams.get(name)
            if stream is None or not stream.buffer:
                return
            batch = delivery.take(stream, account, region)
            interval = stream.interval
        try:
            delivery.write(self.emulator, batch)
        except InternalCallError as error:
            delivery.log.warning("firehose %s: delivery to S3 failed (%s), retrying", name, error)
            with scope.lock:
                stream = scope.backend.streams.get(name)
                if stream is not None and stream.arn == batch.arn:
                    delivery.keep_for_retry(stream, batch.records, self.clock.time())
            self._arm(self._flushes, (account, region, name), self.clock.time() + max(interval, 1), self.flush)
        self.notify_state_changed(account, region, "DeliverBuffer")

    # -- Kinesis sources --------------------------------------------------------------------
    def start_polling(self, account: str, region: str, name: str) -> None:
        self._arm(self._polls, (account, region, name), self.clock.time(), self._poll)

    def _poll(self, account: str, region: str, name: str) -> None:
        from hoarfrost.core.emulator import InternalCallError

        found = self._stream(account, region, name)
        if found is None:
            return
        scope, _ = found
        with scope.lock:
            stream = scope.backend.streams.get(name)
            if stream is None or stream.source is None:
                return
            arn, start = stream.arn, stream.created
            source_arn = stream.source["KinesisStreamARN"]
            positions, finished = dict(stream.positions), set(stream.finished)
        try:
            reads = source.read(self.emulator, source_arn, start, positions, finished)
        except InternalCallError as error:
            source.log.warning("firehose %s: reading %s failed: %s", name, source_arn, error)
            reads = []
        added = False
        full = False
        with scope.lock:
            stream = scope.backend.streams.get(name)
            if stream is None or stream.arn != arn:
                return
            for got in reads:
                for data, arrival in got.records:
                    stream.add(BufferedRecord(new_record_id(), data, arrival))
                    added = True
                if got.position is not None:
                    stream.positions[got.shard_id] = got.position
                if got.finished and got.shard_id not in stream.finished:
                    stream.finished.append(got.shard_id)
            full = stream.buffered_bytes >= stream.size_limit
        if added:
            self.notify_state_changed(account, region, "ReadSource")
        if full:
            self.flush(account, region, name)
        elif added:
            self.schedule_flush(account, region, name)
        self._arm(self._polls, (account, region, name), self.clock.time() + source.POLL_SECONDS, self._poll)

    # -- the delivery port ------------------------------------------------------------------
    def has_stream(self, target_arn: str) -> bool:
        arn = try_parse_arn(target_arn)
        if arn is None or not arn.resource.startswith("deliverystream/"):
            return False
        scope = self.backends.existing(arn.account, arn.region)
        return scope is not None and arn.resource.split("/", 1)[1] in scope.backend.streams

    def receive(self, target_arn: str, message: Message) -> str:
        """The delivery port's sink: PutRecord into the delivery stream ``target_arn`` names
        (EventBridge targets, CloudWatch Logs subscription filters); returns the record id."""
        arn = try_parse_arn(target_arn)
        if arn is None or not arn.resource.startswith("deliverystream/"):
            raise not_found(target_arn, "")
        name = arn.resource.split("/", 1)[1]
        output = self.emulator.call("firehose", "PutRecord", {"DeliveryStreamName": name,
                                                              "Record": {"Data": record_bytes(message)}},
                                    account=arn.account, region=arn.region)
        return str(output["RecordId"])
