"""Kinesis stream event source mappings: each shard is read through Kinesis's own API
(``emulator.call``: ListShards, GetShardIterator, GetRecords; nothing of Kinesis is imported) and
its records handed to the function in Lambda's Kinesis event format, in sequence order, one
batch of up to BatchSize records of one shard at a time. A child shard is read once its
parents are read to their end, as Lambda does after a reshard.

Records no FilterCriteria pattern matches are passed over. A shard with no position yet starts
at TRIM_HORIZON, or at the mapping's timestamp (AT_TIMESTAMP, and LATEST: the mapping's
creation). A failed batch is retried from the same
position on the next poll; after ``MaximumRetryAttempts`` failed retries the mapping moves
past it. The position reached in each shard is written to the mapping (its state and view).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import try_parse_arn

from .record_filters import passes

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


class KinesisReader:
    """Reads every Kinesis mapping's next batch; one per poller (it counts failed attempts)."""

    def __init__(self) -> None:
        self._attempts: dict[tuple[str, str, str | None], int] = {}
        self._lock = threading.Lock()

    def __call__(self, poller: MappingPoller, target: Target) -> bool:
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
                busy = self._shard(poller, target, shard_id, positions.get(shard_id), where) or busy
            except InternalCallError as error:
                log.warning("reading %s %s failed: %s", target.source_arn, shard_id, error)
        return busy

    def _shard(self, poller: MappingPoller, target: Target, shard: str, position: str | None,
               where: dict[str, Any]) -> bool:
        request: dict[str, Any] = {"StreamARN": target.source_arn, "ShardId": shard}
        if position is not None:
            request.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=position)
        elif target.starting_position == "TRIM_HORIZON" or target.starting_timestamp is None:
            request.update(ShardIteratorType="TRIM_HORIZON")
        else:
            request.update(ShardIteratorType="AT_TIMESTAMP", Timestamp=target.starting_timestamp)
        emulator = poller.emulator
        iterator = emulator.call("kinesis", "GetShardIterator", request, **where)["ShardIterator"]
        page = emulator.call("kinesis", "GetRecords", {"ShardIterator": iterator, "Limit": target.batch_size,
                                                       "StreamARN": target.source_arn}, **where)
        records = page["Records"]
        if not records:
            if page.get("NextShardIterator") is None:
                poller.record(target.account, target.region, target.uuid, "OK", SHARD_END, shard=shard)
            return False
        last = records[-1]["SequenceNumber"]
        shaped = [lambda_record(r, shard, target, where["region"]) for r in records]
        if target.filters:  # records no filter matches are passed over, as AWS does
            shaped = [record for record in shaped if passes(target.filters, record)]
            if not shaped:
                poller.record(target.account, target.region, target.uuid, "OK", last, shard=shard)
                return True
        event = json.dumps({"Records": shaped})
        invocation = poller.prepare(target.account, target.region, target.uuid, event)
        if invocation is None:
            return False
        outcome = poller.executor.invoke(invocation)
        poller.handed()
        key = (target.uuid, shard, position)
        if outcome is not None and outcome.function_error is None:
            with self._lock:
                self._attempts.pop(key, None)
            poller.record(target.account, target.region, target.uuid, "OK", last, shard=shard)
            return True
        with self._lock:
            attempts = self._attempts[key] = self._attempts.get(key, 0) + 1
        if 0 <= target.maximum_retry_attempts < attempts:
            with self._lock:
                self._attempts.pop(key, None)
            poller.record(target.account, target.region, target.uuid, "PROBLEM: Function call failed", last,
                          shard=shard)
            return True
        poller.record(target.account, target.region, target.uuid, "PROBLEM: Function call failed", None)
        return False  # a retry waits for the next round, so a failing function never spins
