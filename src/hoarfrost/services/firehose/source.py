"""A Kinesis data stream as a delivery stream's source, read as any consumer reads it: through
Kinesis's own API (``emulator.call``: ListShards, GetShardIterator, GetRecords), once a second
of the emulator's clock, each shard from where the last poll stopped (from the delivery
stream's creation at first, AT_TIMESTAMP, as Firehose's DeliveryStartTimestamp), parents
before children. Records keep their Kinesis arrival time, so the buffer interval counts from
when they reached the stream."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import try_parse_arn

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator

log = logging.getLogger("hoarfrost.firehose")

POLL_SECONDS = 1.0
PAGES_PER_POLL = 20


@dataclass(slots=True)
class ShardRead:
    shard_id: str
    records: list[tuple[bytes, float]] = field(default_factory=list)  # (data, arrival)
    position: str | None = None
    finished: bool = False


def read(emulator: Emulator, source_arn: str, start: float, positions: dict[str, str],
         finished: set[str]) -> list[ShardRead]:
    """What each unfinished shard of the source holds after its position. Raises the Kinesis
    error (``InternalCallError``) when the stream cannot be read."""
    arn = try_parse_arn(source_arn)
    if arn is None:
        return []
    where: dict[str, Any] = {"account": arn.account, "region": arn.region}
    shards = emulator.call("kinesis", "ListShards", {"StreamARN": source_arn}, **where)["Shards"]
    reads: list[ShardRead] = []
    for shard in shards:
        shard_id = shard["ShardId"]
        if shard_id in finished:
            continue
        request: dict[str, Any] = {"StreamARN": source_arn, "ShardId": shard_id}
        position = positions.get(shard_id)
        if position is not None:
            request.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=position)
        else:
            request.update(ShardIteratorType="AT_TIMESTAMP", Timestamp=start)
        iterator = emulator.call("kinesis", "GetShardIterator", request, **where).get("ShardIterator")
        got = ShardRead(shard_id, position=position)
        for _ in range(PAGES_PER_POLL):
            if not iterator:
                got.finished = True
                break
            page = emulator.call("kinesis", "GetRecords", {"ShardIterator": iterator, "StreamARN": source_arn},
                                 **where)
            for record in page["Records"]:
                got.records.append((record["Data"], record["ApproximateArrivalTimestamp"].timestamp()))
                got.position = record["SequenceNumber"]
            iterator = page.get("NextShardIterator")
            if not page["Records"]:
                got.finished = iterator is None
                break
        reads.append(got)
    return reads
