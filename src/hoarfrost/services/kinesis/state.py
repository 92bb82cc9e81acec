"""Kinesis Data Streams' state: streams, their shard trees and the records each shard holds.

A shard keeps its records in arrival order with their sequence numbers in a parallel list of
ints, so a position (``after`` a sequence number) is found by bisection and a read is a slice.
Records past the stream's retention period are dropped lazily, by the emulator's clock, by
``Shard.trim`` (called on every write and read of the shard), and closed shards whose records
have all aged out are forgotten with them, as AWS does.

Sequence numbers are 56 decimal digits, as AWS's: ``49``, the shard's index in six digits, then
a stream-wide counter in 48 digits. So they increase within a shard (and across the stream in
time), a child shard's numbers are above its parents', and the shard a number belongs to can be
read back from it (GetShardIterator refuses a number of another shard, as AWS does).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from hoarfrost.core.kit.records import (
    EPOCH,
    OPTIONAL_EPOCH,
    VIEW_EXCLUDE,
    Converter,
    view_as,
)

MAX_HASH_KEY = 2**128 - 1
SEQUENCE_PREFIX = "49"
_SEQUENCE_SHARD_DIGITS = 6
_SEQUENCE_COUNTER_DIGITS = 48
HOUR = 3600.0
# A provisioned shard's write capacity per second.
SHARD_RECORDS_PER_SECOND = 1000
SHARD_BYTES_PER_SECOND = 1024 * 1024

# Hash keys and sequence numbers are 128-bit / 56-digit ints: text in a view, as in the API.
BIG_INT = Converter(str, str, int)
OPTIONAL_BIG_INT = Converter(str | None, lambda v: None if v is None else str(v),
                             lambda v: None if v is None else int(v))


def shard_name(index: int) -> str:
    return f"shardId-{index:012d}"


def shard_index(shard_id: str) -> int | None:
    """The index in ``shardId-000000000007``; None for anything else."""
    prefix = "shardId-"
    if not shard_id.startswith(prefix) or not shard_id[len(prefix):].isdigit():
        return None
    return int(shard_id[len(prefix):])


def sequence_number(index: int, counter: int) -> int:
    return int(f"{SEQUENCE_PREFIX}{index:0{_SEQUENCE_SHARD_DIGITS}d}{counter:0{_SEQUENCE_COUNTER_DIGITS}d}")


def sequence_shard(sequence: int) -> int | None:
    """The index of the shard a sequence number was issued by; None when it is not one of ours."""
    text = str(sequence)
    if len(text) != 56 or not text.startswith(SEQUENCE_PREFIX):
        return None
    return int(text[2:2 + _SEQUENCE_SHARD_DIGITS])


def uniform_ranges(count: int, start: int = 0, end: int = MAX_HASH_KEY) -> list[tuple[int, int]]:
    """``count`` adjacent hash-key ranges splitting ``start..end`` evenly, AWS's way: each is
    ``floor(size / count)`` keys long and the last one takes the remainder."""
    step = (end - start + 1) // count
    ranges = [(start + i * step, start + (i + 1) * step - 1) for i in range(count)]
    ranges[-1] = (ranges[-1][0], end)
    return ranges


@dataclass(slots=True)
class StreamRecord:
    """One record as a shard holds it."""

    sequence: int = field(metadata=view_as(BIG_INT, "sequence_number"))
    partition_key: str
    data: bytes
    arrival: float = field(metadata=view_as(EPOCH, "approximate_arrival_timestamp"))
    encrypted: bool = False


@dataclass(slots=True)
class Shard:
    """A shard: its hash-key range, its parents, when it opened and closed, and its records.

    ``starting_sequence`` is the first sequence number it could issue; ``ending_sequence`` is
    set when a split, merge or UpdateShardCount closed it."""

    shard_id: str
    index: int
    hash_start: int = field(metadata=view_as(BIG_INT, "starting_hash_key"))
    hash_end: int = field(metadata=view_as(BIG_INT, "ending_hash_key"))
    starting_sequence: int = field(metadata=view_as(BIG_INT, "starting_sequence_number"))
    created: float = field(metadata=view_as(EPOCH))
    parent: str | None = None
    adjacent_parent: str | None = None
    ending_sequence: int | None = field(default=None, metadata=view_as(OPTIONAL_BIG_INT, "ending_sequence_number"))
    closed: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH))
    records: list[StreamRecord] = field(default_factory=list)
    # The records' sequence numbers, for bisection (rebuilt from ``records``).
    sequences: list[int] = field(default_factory=list, init=False, metadata=VIEW_EXCLUDE)
    # Writes taken in the current second of the clock (``admit``): runtime only.
    write_second: int = field(default=-1, init=False, metadata=VIEW_EXCLUDE)
    write_records: int = field(default=0, init=False, metadata=VIEW_EXCLUDE)
    write_bytes: int = field(default=0, init=False, metadata=VIEW_EXCLUDE)

    def __post_init__(self) -> None:
        self.sequences = [record.sequence for record in self.records]

    def admit(self, size: int, now: float) -> bool:
        """Whether a provisioned shard takes one more record of ``size`` bytes (data and
        partition key) in this second of the clock: 1,000 records and 1 MiB a second, AWS's
        write limit. A record larger than the byte budget passes alone in an idle second (a
        stream whose UpdateMaxRecordSize allows it)."""
        second = int(now)
        if second != self.write_second:
            self.write_second, self.write_records, self.write_bytes = second, 0, 0
        if self.write_records >= SHARD_RECORDS_PER_SECOND or (
                self.write_bytes and self.write_bytes + size > SHARD_BYTES_PER_SECOND):
            return False
        self.write_records += 1
        self.write_bytes += size
        return True

    @property
    def is_open(self) -> bool:
        return self.ending_sequence is None

    def covers(self, hash_key: int) -> bool:
        return self.hash_start <= hash_key <= self.hash_end

    def append(self, record: StreamRecord) -> None:
        self.records.append(record)
        self.sequences.append(record.sequence)

    def trim(self, horizon: float) -> None:
        """Forget the records that arrived before ``horizon`` (now minus the retention period)."""
        records = self.records
        if records and records[0].arrival < horizon:
            cut = bisect.bisect_left(records, horizon, key=lambda r: r.arrival)
            del records[:cut]
            del self.sequences[:cut]

    def after(self, sequence: int) -> int:
        """The index of the first record whose sequence number is above ``sequence``."""
        return bisect.bisect_right(self.sequences, sequence)

    def open_at(self, moment: float) -> bool:
        """Whether the shard was open at ``moment`` (a shard from the stream's creation counts
        as open before it too: AWS answers the first shards for a timestamp before the stream)."""
        opened = (self.parent is None and self.adjacent_parent is None) or self.created <= moment
        return opened and (self.closed is None or self.closed > moment)


@dataclass(slots=True)
class Consumer:
    """An enhanced fan-out consumer registered on a stream."""

    name: str
    arn: str
    created: float = field(metadata=view_as(EPOCH))
    status: str = "ACTIVE"
    tags: dict[str, str] = field(default_factory=dict)
    policy: str | None = None


@dataclass(slots=True)
class Stream:
    """A data stream. ``shards`` are in creation (index) order, closed ones included until
    their records age out; ``counter`` is the stream-wide part of the next sequence number."""

    name: str
    arn: str
    created: float = field(metadata=view_as(EPOCH))
    mode: str = "PROVISIONED"
    status: str = "ACTIVE"
    retention_hours: int = 24
    encryption_type: str = "NONE"
    key_id: str | None = None
    shard_level_metrics: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    policy: str | None = None
    max_record_size_kib: int = 1024
    shards: dict[str, Shard] = field(default_factory=dict)
    consumers: dict[str, Consumer] = field(default_factory=dict)
    counter: int = 0
    next_shard_index: int = 0
    # The open shards' ranges in hash-key order, for the put path (rebuilt from ``shards``).
    open_starts: list[int] = field(default_factory=list, init=False, metadata=VIEW_EXCLUDE)
    open_shards: list[Shard] = field(default_factory=list, init=False, metadata=VIEW_EXCLUDE)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Rebuild the hash-key index of open shards (after a reshard or a restore)."""
        shards = sorted((s for s in self.shards.values() if s.is_open), key=lambda s: s.hash_start)
        self.open_shards = shards
        self.open_starts = [s.hash_start for s in shards]

    def shard_for(self, hash_key: int) -> Shard:
        """The open shard whose range holds ``hash_key`` (open shards tile 0..2^128-1)."""
        position = bisect.bisect_right(self.open_starts, hash_key) - 1
        return self.open_shards[max(position, 0)]

    def add_shard(self, hash_start: int, hash_end: int, now: float, parent: str | None = None,
                  adjacent_parent: str | None = None) -> Shard:
        index = self.next_shard_index
        self.next_shard_index += 1
        shard = Shard(shard_name(index), index, hash_start, hash_end, sequence_number(index, self.counter), now,
                      parent=parent, adjacent_parent=adjacent_parent)
        self.shards[shard.shard_id] = shard
        return shard

    def close(self, shard: Shard, now: float) -> None:
        shard.ending_sequence = sequence_number(shard.index, self.counter)
        shard.closed = now

    def next_sequence(self, shard: Shard) -> int:
        self.counter += 1
        return sequence_number(shard.index, self.counter)

    def horizon(self, now: float) -> float:
        """The trim horizon: records that arrived before it are past retention."""
        return now - self.retention_hours * HOUR

    def expire(self, now: float) -> None:
        """Trim every shard to the retention period and forget closed shards left empty whose
        closing is past it too (AWS keeps a closed shard until its records expire)."""
        horizon = self.horizon(now)
        gone = []
        for shard in self.shards.values():
            shard.trim(horizon)
            if shard.closed is not None and shard.closed < horizon and not shard.records:
                gone.append(shard.shard_id)
        for shard_id in gone:
            del self.shards[shard_id]

    @property
    def open_count(self) -> int:
        return len(self.open_shards)


@dataclass(slots=True)
class KinesisBackend:
    """One account/region: streams by name, in creation order."""

    account: str
    region: str
    streams: dict[str, Stream] = field(default_factory=dict)

    def open_shard_count(self) -> int:
        return sum(stream.open_count for stream in self.streams.values())

    def on_demand_count(self) -> int:
        return sum(1 for stream in self.streams.values() if stream.mode == "ON_DEMAND")
