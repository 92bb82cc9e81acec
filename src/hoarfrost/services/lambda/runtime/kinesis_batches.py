"""Kinesis stream event source mappings: each shard is read through Kinesis's own API
(``emulator.call``: ListShards, GetShardIterator, GetRecords; nothing of Kinesis is imported) and
its records handed to the function in Lambda's Kinesis event format, in sequence order, one
batch of up to BatchSize records of one shard at a time. A child shard is read once its
parents are read to their end, as Lambda does after a reshard.

A shard with no position yet starts at TRIM_HORIZON, or at the mapping's timestamp
(AT_TIMESTAMP, and LATEST: the mapping's creation). Each shard's batch is settled by
``stream_batches`` as every stream mapping's is (record age, filters, retries, bisection,
partial batch failures, the on-failure destination with ``KinesisBatchInfo``); the position
reached in each shard is written to the mapping (its state and view).
"""

from __future__ import annotations

import base64
import logging
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import try_parse_arn

from .stream_batches import Shard, ShardRecord, seconds

if TYPE_CHECKING:
    from .mapping_poller import MappingPoller, Target

log = logging.getLogger("hoarfrost.lambda")

SHARD_END = "SHARD_END"


def lambda_record(record: dict[str, Any], shard: str, target: Target, region: str) -> dict[str, Any]:
    """One Kinesis record as Lambda's Kinesis event has it."""
    return {
        "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": record["PartitionKey"],
                    "sequenceNumber": record["SequenceNumber"],
                    "data": base64.b64encode(record["Data"]).decode("ascii"),
                    "approximateArrivalTimestamp": record["ApproximateArrivalTimestamp"].timestamp()},
        "eventSource": "aws:kinesis", "eventVersion": "1.0", "eventID": f"{shard}:{record['SequenceNumber']}",
        "eventName": "aws:kinesis:record", "invokeIdentityArn": target.role, "awsRegion": region,
        "eventSourceARN": target.source_arn,
    }


def read_kinesis_stream(poller: MappingPoller, target: Target) -> bool:
    """Read the next batch of every shard that may be read now and settle each; True when the
    mapping moved on in one of them."""
    from hoarfrost.core.emulator import InternalCallError

    arn = try_parse_arn(target.source_arn)
    if arn is None:
        return False
    where: dict[str, Any] = {"account": arn.account, "region": arn.region}
    positions = dict(target.shard_positions)
    try:
        shards = poller.emulator.call("kinesis", "ListShards", {"StreamARN": target.source_arn}, **where)["Shards"]
    except InternalCallError:
        poller.record(target.account, target.region, target.uuid, "PROBLEM: Stream not found", None)
        return False
    listed = {s["ShardId"] for s in shards}
    busy = False
    for shard in shards:
        shard_id = shard["ShardId"]
        parents = [p for p in (shard.get("ParentShardId"), shard.get("AdjacentParentShardId"))
                   if p in listed and positions.get(p) != SHARD_END]
        if positions.get(shard_id) == SHARD_END or parents:
            continue
        try:
            busy = _shard(poller, target, Shard(shard_id, positions.get(shard_id), "KinesisBatchInfo",
                                                per_shard=True), where) or busy
        except InternalCallError as error:
            log.warning("reading %s %s failed: %s", target.source_arn, shard_id, error)
    return busy


def _shard(poller: MappingPoller, target: Target, shard: Shard, where: dict[str, Any]) -> bool:
    request: dict[str, Any] = {"StreamARN": target.source_arn, "ShardId": shard.shard_id}
    if shard.position is not None:
        request.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=shard.position)
    elif target.starting_position == "TRIM_HORIZON" or target.starting_timestamp is None:
        request.update(ShardIteratorType="TRIM_HORIZON")
    else:
        request.update(ShardIteratorType="AT_TIMESTAMP", Timestamp=target.starting_timestamp)
    emulator = poller.emulator
    iterator = emulator.call("kinesis", "GetShardIterator", request, **where)["ShardIterator"]
    page = emulator.call("kinesis", "GetRecords", {
        "ShardIterator": iterator, "Limit": poller.settler.batch_size(target, shard),
        "StreamARN": target.source_arn}, **where)
    records = page["Records"]
    if not records:
        if page.get("NextShardIterator") is None:
            poller.record(target.account, target.region, target.uuid, "OK", SHARD_END, shard=shard.shard_id)
        return False
    return poller.settler.settle(poller, target, shard, [
        ShardRecord(r["SequenceNumber"], seconds(r["ApproximateArrivalTimestamp"]),
                    lambda_record(r, shard.shard_id, target, where["region"])) for r in records])
