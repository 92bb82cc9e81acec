"""KinesisStateView: one account/region of Kinesis Data Streams as plain, typed data.

Every stream with its settings, tags, resource policy, consumers, and its whole shard tree:
open and closed shards (hash-key ranges and sequence-number ranges as decimal text, parents,
when each opened and closed) with the records each holds within the retention period (data
base64, sequence numbers, partition keys, arrival times). Shard iterators are not state: they
are self-contained tokens, and an iterator taken before a restore still reads the restored
stream (it names the stream by name and creation time).

ARNs follow from the scope: a stream restored into another account or region gets that
scope's ARN, and so do its consumers. A view is refused when a shard's id does not match its
index, the open shards do not tile the hash-key space 0..2^128-1 exactly, or a shard's records
are not in increasing sequence order.

Merge: a stream whose name exists takes the view's settings; its shards merge by shard id (a
shard in the view replaces that shard's fields and records) and its consumers by name; streams
and shards not in the view are kept.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from pydantic import Field

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.kit.records import RecordView, merge_keyed, record_view
from hoarfrost.core.views import StateView, StateViewError
from hoarfrost.services.kinesis.state import (
    MAX_HASH_KEY,
    Consumer,
    KinesisBackend,
    Shard,
    Stream,
    StreamRecord,
    shard_name,
)

_COUNTER = 10**48


@record_view(StreamRecord)
class StreamRecordView(RecordView):
    """One record: its data, partition key, sequence number and arrival time."""


@record_view(Shard, key="shard_id")
class ShardView(RecordView):
    """A shard: hash-key range, parents, sequence-number range (``ending_sequence_number`` and
    ``closed`` once a reshard closed it) and its records within retention."""


@record_view(Consumer, key="name")
class ConsumerView(RecordView):
    """An enhanced fan-out consumer (its ARN is rebuilt from the scope on restore)."""


@record_view(Stream, key="name")
class StreamView(RecordView):
    """A stream: mode, retention, encryption, monitoring, tags, policy, shards, consumers;
    ``counter`` is the stream-wide part of the next sequence number."""


class KinesisStateView(StateView):
    """Kinesis Data Streams in one account/region: streams in creation order (see the module doc)."""

    streams: list[StreamView] = Field(default_factory=list)


def to_view(backend: KinesisBackend) -> KinesisStateView:
    return KinesisStateView(streams=[StreamView.of(stream) for stream in backend.streams.values()])


def _settle(stream: Stream, account: str, region: str) -> None:
    """Give a stream built from a view its scope's ARNs and counters no lower than its shards'
    and records' (so new sequence numbers and shard ids never repeat), then index it."""
    stream.arn = build_arn("kinesis", region, account, f"stream/{stream.name}")
    for consumer in stream.consumers.values():
        consumer.arn = f"{stream.arn}/consumer/{consumer.name}:{int(consumer.created)}"
    for shard in stream.shards.values():
        stream.next_shard_index = max(stream.next_shard_index, shard.index + 1)
        for sequence in (shard.starting_sequence, shard.ending_sequence, *shard.sequences[-1:]):
            if sequence is not None:
                stream.counter = max(stream.counter, sequence % _COUNTER)
    stream.shards = dict(sorted(stream.shards.items(), key=lambda item: item[1].index))
    stream.reindex()


def _check(stream: Stream) -> None:
    for shard in stream.shards.values():
        if shard.shard_id != shard_name(shard.index):
            raise StateViewError("invalid", f"kinesis: stream {stream.name}: shard {shard.shard_id} has index "
                                            f"{shard.index}")
        if any(a >= b for a, b in itertools.pairwise(shard.sequences)):
            raise StateViewError("invalid", f"kinesis: stream {stream.name}: the records of {shard.shard_id} are "
                                            "not in increasing sequence order")


def _check_tiling(name: str, shards: Iterable[Shard]) -> None:
    """The open shards must cover 0..2^128-1 exactly, without gaps or overlaps."""
    expected = 0
    for shard in sorted((s for s in shards if s.is_open), key=lambda s: s.hash_start):
        if shard.hash_start != expected or shard.hash_end < shard.hash_start:
            raise StateViewError("invalid", f"kinesis: stream {name}: the open shards do not cover the hash-key "
                                            f"space at {expected}")
        expected = shard.hash_end + 1
    if expected != MAX_HASH_KEY + 1:
        raise StateViewError("invalid", f"kinesis: stream {name}: the open shards do not cover the hash-key space "
                                        "0..2^128-1")


def check_complete(source: KinesisBackend) -> None:
    """A view restored whole: every stream's open shards tile the hash-key space."""
    for stream in source.streams.values():
        _check_tiling(stream.name, stream.shards.values())


def check_overlay(target: KinesisBackend, source: KinesisBackend) -> None:
    """A view merged: every stream's shards, laid over the existing stream's by shard id, tile
    the hash-key space (a partial stream in a merge view is fine when the result is whole)."""
    for stream in source.streams.values():
        existing = target.streams.get(stream.name)
        shards = dict(existing.shards) if existing is not None else {}
        shards.update(stream.shards)
        _check_tiling(stream.name, shards.values())


def from_view(view: KinesisStateView, account: str, region: str) -> KinesisBackend:
    backend = KinesisBackend(account, region)
    for item in view.streams:
        if item.name in backend.streams:
            raise StateViewError("invalid", f"kinesis: stream {item.name} appears twice")
        stream: Stream = item.to_record()
        _check(stream)
        _settle(stream, account, region)
        backend.streams[stream.name] = stream
    return backend


def merge(target: KinesisBackend, source: KinesisBackend) -> None:
    """See the module doc; merged streams are re-indexed and their counters raised to cover
    every record they now hold."""
    merge_keyed(target.streams, source.streams, StreamView.merge)
    for name in source.streams:
        stream = target.streams[name]
        for shard in stream.shards.values():
            shard.sequences = [record.sequence for record in shard.records]
        _settle(stream, target.account, target.region)
