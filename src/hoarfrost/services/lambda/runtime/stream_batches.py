"""What Lambda does with a batch read from a stream shard, for DynamoDB and Kinesis mappings
alike: the readers (``dynamodb_batches``, ``kinesis_batches``) only read a shard and shape its
records; settling the batch is this one module's.

Records older than ``MaximumRecordAgeInSeconds`` by the emulator's clock are never handed to the
function: they are described to the on-failure destination and passed over. Records no
FilterCriteria pattern matches are passed over. A batch that fails is retried on the next poll
from the same position. With ``BisectBatchOnFunctionError`` a failed batch is split in two first
(splitting does not count as a retry, as in AWS); with ``ReportBatchItemFailures`` the item the
function reports moves the checkpoint to just before it. Once ``MaximumRetryAttempts`` retries
failed, the batch's place in the shard goes to the on-failure destination (SQS or SNS, through
the delivery port) in AWS's record (``DDBStreamBatchInfo`` or ``KinesisBatchInfo``) and the
mapping moves past it. The position reached is written to the mapping (its state and view).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hoarfrost.core.ports import Message

from .record_filters import passes
from .sqs_batches import failed_items

if TYPE_CHECKING:
    from .executor import Invocation
    from .invocation import Outcome
    from .mapping_poller import MappingPoller, Target

log = logging.getLogger("hoarfrost.lambda")

FAILED = "PROBLEM: Function call failed"


@dataclass(frozen=True, slots=True)
class ShardRecord:
    """One record of a batch: its sequence number, its arrival (epoch seconds on the emulator's
    clock) and the record as Lambda's event has it."""

    sequence: str
    arrived: float
    event: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Shard:
    """The shard a batch comes from and where the mapping stands in it."""

    shard_id: str
    position: str | None  # the last record handled; None for none yet
    info_key: str  # the failure record's member: "DDBStreamBatchInfo" or "KinesisBatchInfo"
    per_shard: bool  # the mapping keeps a position per shard (Kinesis), not one (DynamoDB)


@dataclass(slots=True)
class Progress:
    """A batch being retried (kept by the poller only: a restart retries afresh)."""

    position: str | None  # the position the retried batch starts after
    limit: int  # records in the batch (halved by bisection)
    attempts: int = 0  # failed invocations of it so far


class BatchSettler:
    """Settles every stream mapping's batches; one per poller (it keeps the retry progress of
    each mapping's shards)."""

    def __init__(self) -> None:
        self._progress: dict[tuple[str, str], Progress] = {}
        self._lock = threading.Lock()

    def batch_size(self, target: Target, shard: Shard) -> int:
        """How many records to read next from ``shard``: the mapping's BatchSize, or less while
        a bisected batch is retried."""
        key = (target.uuid, shard.shard_id)
        with self._lock:
            progress = self._progress.get(key)
            if progress is None or progress.position != shard.position:
                progress = self._progress[key] = Progress(shard.position, target.batch_size)
            return progress.limit

    def settle(self, poller: MappingPoller, target: Target, shard: Shard, records: list[ShardRecord]) -> bool:
        """Hand ``records`` (read after ``shard.position``, in order) to the function and move
        the mapping on as AWS does; True when the mapping moved (more may follow at once)."""
        if not records:
            return False
        if target.maximum_record_age >= 0:
            oldest = poller.emulator.clock.time() - target.maximum_record_age
            expired = [r for r in records if r.arrived < oldest]
            if expired:  # records arrive in order: the expired ones lead the batch
                if target.on_failure:
                    _send_failure(poller, target, shard, expired, None, None, 0, "RecordAgeExceeded")
                self._advance(poller, target, shard, expired[-1].sequence, "OK")
                return True
        batch_end = records[-1].sequence
        if target.filters:  # records no filter matches are passed over, as AWS does
            records = [r for r in records if passes(target.filters, r.event)]
            if not records:
                self._advance(poller, target, shard, batch_end, "OK")
                return True
        invocation = poller.prepare(target.account, target.region, target.uuid,
                                    json.dumps({"Records": [r.event for r in records]}))
        if invocation is None:
            return False
        outcome = poller.executor.invoke(invocation)
        poller.handed()
        if outcome is not None and outcome.function_error is None:
            sequences = [r.sequence for r in records]
            failed = (failed_items(outcome.payload, set(sequences))
                      if "ReportBatchItemFailures" in target.response_types else set())
            if not failed:
                self._advance(poller, target, shard, batch_end, "OK")
                return True
            if failed is not None:
                # Checkpoint before the first failed record: it and what follows are retried.
                first = min(sequences.index(s) for s in failed)
                if first > 0:
                    self._advance(poller, target, shard, sequences[first - 1], "OK")
                    return True
        self._failed(poller, target, shard, records, invocation, outcome)
        return False  # a retry waits for the next round, so a failing function never spins

    def _advance(self, poller: MappingPoller, target: Target, shard: Shard, position: str, result: str) -> None:
        with self._lock:
            self._progress.pop((target.uuid, shard.shard_id), None)
        poller.record(target.account, target.region, target.uuid, result, position,
                      shard=shard.shard_id if shard.per_shard else None)

    def _failed(self, poller: MappingPoller, target: Target, shard: Shard, records: list[ShardRecord],
                invocation: Invocation, outcome: Outcome | None) -> None:
        key = (target.uuid, shard.shard_id)
        with self._lock:
            progress = self._progress.setdefault(key, Progress(shard.position, target.batch_size))
            bisect = target.bisect and len(records) > 1
            if bisect:
                progress.limit = (len(records) + 1) // 2
            else:
                progress.attempts += 1
            attempts = progress.attempts
        if bisect or not 0 <= target.maximum_retry_attempts < attempts:
            poller.record(target.account, target.region, target.uuid, FAILED, None)
            return
        if target.on_failure:
            _send_failure(poller, target, shard, records, invocation, outcome, attempts, "RetryAttemptsExhausted")
        self._advance(poller, target, shard, records[-1].sequence, FAILED)


def _send_failure(poller: MappingPoller, target: Target, shard: Shard, records: list[ShardRecord],
                  invocation: Invocation | None, outcome: Outcome | None, attempts: int, condition: str) -> None:
    """The record AWS sends a stream mapping's on-failure destination: the batch's place in the
    shard, not its records (``invocation`` None: records that expired before any invocation)."""
    function_arn = invocation.spec.function_arn if invocation is not None else target.function_arn
    response: dict[str, Any] = {}
    if invocation is not None:
        response = {"statusCode": 200 if outcome is not None else 429,
                    "executedVersion": invocation.executed_version}
    if outcome is not None and outcome.function_error is not None:
        response["functionError"] = outcome.function_error
    document = {
        "requestContext": {"requestId": invocation.request_id if invocation is not None else "",
                           "functionArn": function_arn, "condition": condition,
                           "approximateInvokeCount": attempts},
        "responseContext": response,
        "version": "1.0",
        "timestamp": _iso(poller.emulator.clock.time()),
        shard.info_key: {
            "shardId": shard.shard_id,
            "startSequenceNumber": records[0].sequence,
            "endSequenceNumber": records[-1].sequence,
            "approximateArrivalOfFirstRecord": _iso(records[0].arrived),
            "approximateArrivalOfLastRecord": _iso(records[-1].arrived),
            "batchSize": len(records),
            "streamArn": target.source_arn,
        },
    }
    try:
        poller.emulator.deliver(target.on_failure or "", Message(
            body=json.dumps(document), source_arn=function_arn, sender=target.account))
    except Exception:
        log.exception("on-failure delivery to %s failed", target.on_failure)


def seconds(moment: Any) -> float:
    """A record's time (a datetime, or epoch seconds) as epoch seconds."""
    return moment.timestamp() if hasattr(moment, "timestamp") else float(moment or 0)


def _iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
