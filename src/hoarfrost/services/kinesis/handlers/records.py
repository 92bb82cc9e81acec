"""Records: PutRecord, PutRecords, GetShardIterator and GetRecords.

A partition key is hashed with MD5 into a 128-bit key (an ExplicitHashKey overrides it) and the
record goes to the open shard whose range holds it. A shard of a provisioned stream takes 1,000
records and 1 MiB a second of the emulator's clock, as AWS's: beyond that PutRecord answers
ProvisionedThroughputExceededException, and PutRecords fails the records beyond it alone with
that code (an on-demand stream is never throttled: AWS adds capacity for it).

A shard iterator is a tamper-evident token of (scope, stream, shard, position, timestamp floor,
issue time): it expires five minutes after it was issued by the emulator's clock, and a restore
keeps it valid (it names no memory)."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.paging import key_token, token_key
from hoarfrost.services.kinesis.errors import (
    errors,
    invalid,
    shard_not_found,
    stream_not_found,
)
from hoarfrost.services.kinesis.handlers import ops
from hoarfrost.services.kinesis.handlers.common import KinesisContext, find_stream
from hoarfrost.services.kinesis.handlers.encryption import key_problem
from hoarfrost.services.kinesis.handlers.shards import child_output, find_shard
from hoarfrost.services.kinesis.state import (
    MAX_HASH_KEY,
    Shard,
    Stream,
    StreamRecord,
    sequence_number,
    sequence_shard,
)

ITERATOR_KIND = "kinesis:ShardIterator"
ITERATOR_LIFETIME_MS = 5 * 60 * 1000
MAX_REQUEST_BYTES = 5 * 1024 * 1024
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
DEFAULT_GET_LIMIT = 10000


def hash_key(partition_key: str, explicit: str | None) -> int:
    """The 128-bit key a record is placed by: the ExplicitHashKey, else MD5 of the partition key."""
    if explicit is not None:
        value = int(explicit) if explicit.isdigit() else -1
        if not 0 <= value <= MAX_HASH_KEY:
            raise invalid(f"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
                          f"Specified value was {explicit}")
        return value
    return _md5_key(partition_key)


@functools.lru_cache(maxsize=4096)
def _md5_key(partition_key: str) -> int:
    """MD5 of the key as a 128-bit int (cached: producers reuse a few keys a great deal)."""
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def _check_size(stream: Stream, entry: dict[str, Any], path: str = "data") -> int:
    """A record's size against the stream's maximum (1 MiB unless UpdateMaxRecordSize raised
    it): data alone over it is the validation error AWS sends for the ``data`` member; data and
    partition key together over it, InvalidArgumentException."""
    data = len(entry["Data"])
    limit = stream.max_record_size_kib * 1024
    if data > limit:
        raise errors.ValidationException(
            f"1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim={data} cap={data}]' at "
            f"'{path}' failed to satisfy constraint: Member must have length less than or equal to {limit}")
    size = data + len(entry["PartitionKey"].encode("utf-8"))
    if size > limit:
        raise invalid(f"Record size exceeds the maximum record size of {stream.max_record_size_kib} KiB for stream "
                      f"{stream.name}: the data blob and the partition key together are {size} bytes.")
    return size


def _throttled(ctx: KinesisContext, stream: Stream, shard: Shard) -> ServiceError:
    return errors.ProvisionedThroughputExceededException(
        f"Rate exceeded for shard {shard.shard_id} in stream {stream.name} under account {ctx.scope.account}.")


def _put(ctx: KinesisContext, stream: Stream, entry: dict[str, Any], size: int, now: float,
         key: int | None = None) -> tuple[Shard, int]:
    """Write one record; raises ProvisionedThroughputExceededException when its shard is full."""
    shard = stream.shard_for(key if key is not None else hash_key(entry["PartitionKey"], entry.get("ExplicitHashKey")))
    if stream.mode == "PROVISIONED" and not shard.admit(size, now):
        raise _throttled(ctx, stream, shard)
    sequence = stream.next_sequence(shard)
    shard.append(StreamRecord(sequence, entry["PartitionKey"], entry["Data"], now, stream.encryption_type == "KMS"))
    return shard, sequence


def _encryption(stream: Stream) -> dict[str, str]:
    return {"EncryptionType": "KMS"} if stream.encryption_type == "KMS" else {}


@ops.operation
def put_record(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    stream = find_stream(ctx, request)
    size = _check_size(stream, request)
    problem = key_problem(ctx, stream)
    if problem is not None:
        raise problem
    shard, sequence = _put(ctx, stream, request, size, ctx.clock.time())
    return {"ShardId": shard.shard_id, "SequenceNumber": str(sequence), **_encryption(stream)}


@ops.operation
def put_records(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    """Every record is checked before any is written; a record refused by KMS (the stream's key
    disabled or gone) or by its shard's throughput fails alone with that code, the others are
    written in order."""
    stream = find_stream(ctx, request)
    entries = request["Records"]
    sizes = [_check_size(stream, entry, f"records.{n}.member.data") for n, entry in enumerate(entries, 1)]
    total = sum(sizes)
    if total > MAX_REQUEST_BYTES:
        raise invalid("Records size exceeds 5 MB limit")
    keys = [hash_key(entry["PartitionKey"], entry.get("ExplicitHashKey")) for entry in entries]
    problem = key_problem(ctx, stream)
    now = ctx.clock.time()
    results: list[dict[str, Any]] = []
    failed = 0
    for entry, key, size in zip(entries, keys, sizes, strict=True):
        try:
            if problem is not None:
                raise problem
            shard, sequence = _put(ctx, stream, entry, size, now, key)
        except ServiceError as error:
            failed += 1
            results.append({"ErrorCode": error.code, "ErrorMessage": error.message})
            continue
        results.append({"SequenceNumber": str(sequence), "ShardId": shard.shard_id})
    return {"FailedRecordCount": failed, "Records": results, **_encryption(stream)}


def _moment(value: Any) -> float:
    return value.timestamp() if isinstance(value, dt.datetime) else float(value)


def _iterator(ctx: KinesisContext, stream: Stream, shard: Shard, after: int, floor_ms: int) -> str:
    return key_token(ITERATOR_KIND, (ctx.scope.account, ctx.scope.region, stream.name, int(stream.created * 1000),
                                     shard.shard_id, str(after), floor_ms, ctx.clock.millis()))


def iterator_scope(token: Any) -> tuple[str, str] | None:
    """The (account, region) a shard iterator was issued in; None for anything else."""
    try:
        position = token_key(ITERATOR_KIND, token, ValueError)
    except ValueError:
        return None
    if not isinstance(position, tuple) or len(position) != 8:
        return None
    return str(position[0]), str(position[1])


def start_position(ctx: KinesisContext, stream: Stream, shard: Shard, kind: str, text: str | None,
                   timestamp: Any) -> tuple[int, int]:
    """Where a reader of ``shard`` starts for a starting-position type: (the sequence number it
    reads after, the arrival floor in ms). GetShardIterator and SubscribeToShard share it."""
    if kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        if text is None:
            raise invalid(f"The StartingSequenceNumber must be specified for ShardIteratorType {kind}.")
        sequence = int(text) if text.isdigit() else -1
        owner = sequence_shard(sequence)
        if owner is None:
            raise invalid(f"StartingSequenceNumber {text} used in GetShardIterator on shard {shard.shard_id} in "
                          f"stream {stream.name} under account {ctx.scope.account} is invalid.")
        if owner != shard.index:
            raise invalid(f"Invalid StartingSequenceNumber. It encodes shardId-{owner:012d}, while it was used in a "
                          f"call to a shard with {shard.shard_id}")
        return (sequence - 1 if kind == "AT_SEQUENCE_NUMBER" else sequence), 0
    if kind == "LATEST":
        if shard.ending_sequence is not None:
            return shard.ending_sequence, 0
        return sequence_number(shard.index, stream.counter), 0
    if kind == "AT_TIMESTAMP":
        if timestamp is None:
            raise invalid("The timestamp must be specified for ShardIteratorType AT_TIMESTAMP.")
        floor_ms = int(_moment(timestamp) * 1000)
        now_ms = ctx.clock.millis()
        if floor_ms > now_ms:
            raise invalid(f"The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
                          f"timestampInMillis: {floor_ms}, currentTimestampInMillis: {now_ms}")
        return 0, floor_ms
    return 0, 0  # TRIM_HORIZON


@ops.operation
def get_shard_iterator(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    stream = find_stream(ctx, request)
    shard = find_shard(ctx, stream, request["ShardId"])
    after, floor_ms = start_position(ctx, stream, shard, request["ShardIteratorType"],
                                     request.get("StartingSequenceNumber"), request.get("Timestamp"))
    return {"ShardIterator": _iterator(ctx, stream, shard, after, floor_ms)}


def _invalid_iterator() -> ServiceError:
    return invalid("Invalid ShardIterator.")


def _when(millis: int) -> str:
    return dt.datetime.fromtimestamp(millis / 1000, dt.UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def read(stream: Stream, shard: Shard, after: int, floor_ms: int, limit: int, now: float
         ) -> tuple[list[StreamRecord], int, bool]:
    """Up to ``limit`` records of ``shard`` after ``after`` (at or after ``floor_ms`` of arrival),
    within GetRecords' 10 MiB; also the position reached and whether the shard is finished."""
    records = shard.records
    start = shard.after(after)
    if floor_ms:
        start = max(start, bisect.bisect_left(records, floor_ms / 1000, key=lambda r: r.arrival))
    end = min(len(records), start + limit)
    size = 0
    for index in range(start, end):
        size += len(records[index].data) + len(records[index].partition_key)
        if size > MAX_RESPONSE_BYTES and index > start:
            end = index
            break
    batch = records[start:end]
    position = batch[-1].sequence if batch else after
    finished = shard.ending_sequence is not None and end == len(records)
    return batch, position, finished


def record_output(record: StreamRecord) -> dict[str, Any]:
    output: dict[str, Any] = {"SequenceNumber": str(record.sequence), "ApproximateArrivalTimestamp": record.arrival,
                              "Data": record.data, "PartitionKey": record.partition_key}
    if record.encrypted:
        output["EncryptionType"] = "KMS"
    return output


def millis_behind(shard: Shard, batch: list[StreamRecord], finished: bool, now: float) -> int:
    """How far the reader is from the shard's tip: 0 when nothing is left to read, else the age
    of the last record it got (of the next one when it got none)."""
    if finished or not shard.records or (batch and batch[-1] is shard.records[-1]):
        return 0
    if not batch:
        return 0
    return max(0, int((now - batch[-1].arrival) * 1000))


@ops.operation
def get_records(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    position = token_key(ITERATOR_KIND, request["ShardIterator"], _invalid_iterator)
    if not isinstance(position, tuple) or len(position) != 8:
        raise _invalid_iterator()
    _account, _region, name, created_ms, shard_id, after, floor_ms, issued = position
    now_ms = ctx.clock.millis()
    if now_ms - int(issued) > ITERATOR_LIFETIME_MS:
        raise errors.ExpiredIteratorException(
            f"Iterator expired. The iterator was created at time {_when(int(issued))} while right now it is "
            f"{_when(now_ms)} which is further in the future than the tolerated delay of {ITERATOR_LIFETIME_MS} "
            "milliseconds.")
    stream = ctx.state.streams.get(str(name))
    if stream is None or int(stream.created * 1000) != created_ms:
        raise stream_not_found(str(name), ctx.scope.account)
    now = ctx.clock.time()
    stream.expire(now)
    shard = stream.shards.get(str(shard_id))
    if shard is None:
        raise shard_not_found(str(shard_id), stream.name, ctx.scope.account)
    limit = request.get("Limit") or DEFAULT_GET_LIMIT
    batch, reached, finished = read(stream, shard, int(after), int(floor_ms), limit, now)
    output: dict[str, Any] = {"Records": [record_output(r) for r in batch],
                              "MillisBehindLatest": millis_behind(shard, batch, finished, now)}
    if finished:
        output["ChildShards"] = child_output(stream, shard)
    else:
        output["NextShardIterator"] = _iterator(ctx, stream, shard, reached, int(floor_ms))
    return output
