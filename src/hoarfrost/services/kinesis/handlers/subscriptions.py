"""SubscribeToShard: an enhanced fan-out consumer's push read of one shard, answered as an
event stream (``application/vnd.amazon.eventstream``).

AWS keeps a subscription open for up to five minutes and pushes a SubscribeToShardEvent as
records arrive. hoarfrost answers with what the shard holds when the request arrives: one
event per chunk of records (GetRecords' 10 MiB and 10,000-record bounds), or a single empty
event when there is nothing to read, each with its ContinuationSequenceNumber and
MillisBehindLatest; then the stream ends. A client resubscribes from the last
ContinuationSequenceNumber, as SDK consumers (the KCL) do when a subscription ends. A closed
shard read to its end answers ChildShards and no ContinuationSequenceNumber."""

from __future__ import annotations

from typing import Any

from hoarfrost.services.kinesis.errors import errors
from hoarfrost.services.kinesis.handlers import ops
from hoarfrost.services.kinesis.handlers.common import (
    KinesisContext,
    consumer_of,
    stream_name_of,
    stream_named,
)
from hoarfrost.services.kinesis.handlers.records import (
    DEFAULT_GET_LIMIT,
    millis_behind,
    read,
    record_output,
    start_position,
)
from hoarfrost.services.kinesis.handlers.shards import child_output, find_shard

MAX_EVENTS = 1000  # a bound on one answer; a longer backlog is read by resubscribing


@ops.operation
def subscribe_to_shard(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    arn = request["ConsumerARN"]
    name = stream_name_of(arn)
    if name is None or "/consumer/" not in arn:
        raise errors.InvalidArgumentException(f"Invalid ConsumerARN: {arn}.")
    stream = stream_named(ctx, name)
    consumer = consumer_of(stream, arn)
    if consumer is None:
        raise errors.ResourceNotFoundException(f"Consumer {arn} under account {ctx.scope.account} not found.")
    shard = find_shard(ctx, stream, request["ShardId"])
    position = request["StartingPosition"]
    after, floor_ms = start_position(ctx, stream, shard, position["Type"], position.get("SequenceNumber"),
                                     position.get("Timestamp"))
    now = ctx.clock.time()
    events: list[dict[str, Any]] = []
    while len(events) < MAX_EVENTS:
        batch, after, finished = read(stream, shard, after, floor_ms, DEFAULT_GET_LIMIT, now)
        if not batch:  # a continuation must be a sequence number of this shard, past what was skipped
            skipped = shard.sequences[-1] if floor_ms and shard.sequences else 0
            after = max(after, shard.starting_sequence, skipped)
        event: dict[str, Any] = {"Records": [record_output(r) for r in batch],
                                 "MillisBehindLatest": millis_behind(shard, batch, finished, now)}
        if finished:
            event["ChildShards"] = child_output(stream, shard)
        else:
            event["ContinuationSequenceNumber"] = str(after)
        events.append({"SubscribeToShardEvent": event})
        if finished or not batch or batch[-1] is shard.records[-1]:
            break
    return {"EventStream": events}
