"""DynamoDB stream event source mappings: records read through the core change-stream port
(``emulator.ports.streams("dynamodb")``; nothing of DynamoDB is imported), handed to the
function in Lambda's DynamoDB event format, in sequence order (a stream here has one shard).

A batch that fails is retried on the next poll from the same position. With
``BisectBatchOnFunctionError`` a failed batch is split in two first (splitting does not count
as a retry, as in AWS); with ``ReportBatchItemFailures`` the function's reported item moves the
checkpoint to just before it. Once ``MaximumRetryAttempts`` retries failed, the batch's
description goes to the on-failure destination (SQS or SNS, through the delivery port) and the
mapping moves past it; so do records older than ``MaximumRecordAgeInSeconds`` by the emulator's
clock, which are never handed to the function. The position reached is written to the mapping (its state and view).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hoarfrost.core.ports import ChangeStream, Message

from .record_filters import passes
from .sqs_batches import failed_items

if TYPE_CHECKING:
    from .executor import Invocation
    from .invocation import Outcome
    from .mapping_poller import MappingPoller, Target

log = logging.getLogger("hoarfrost.lambda")


@dataclass(slots=True)
class Progress:
    """A mapping's batch being retried (kept by the poller only: a restart retries afresh)."""

    position: str | None  # the position the retried batch starts after
    limit: int  # records in the batch (halved by bisection)
    attempts: int = 0  # failed invocations of it so far


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """One stream record as Lambda's DynamoDB event has it: the port's record (DynamoDB Streams'
    wire shape) with epoch-second creation time, lower-case ``userIdentity`` and the source ARN."""
    data = dict(record["dynamodb"])
    created = data.get("ApproximateCreationDateTime")
    if created is not None and hasattr(created, "timestamp"):
        data["ApproximateCreationDateTime"] = int(created.timestamp())
    out = {key: value for key, value in record.items() if key != "userIdentity"}
    out["dynamodb"] = data
    identity = record.get("userIdentity")
    if identity:
        out["userIdentity"] = {"type": identity.get("Type"), "principalId": identity.get("PrincipalId")}
    out["eventSourceARN"] = stream_arn
    return out


class StreamReader:
    """Reads every stream mapping's next batch; one per poller (it keeps the retry progress)."""

    def __init__(self) -> None:
        self._progress: dict[str, Progress] = {}
        self._lock = threading.Lock()

    def __call__(self, poller: MappingPoller, target: Target) -> bool:
        source = poller.emulator.ports.streams("dynamodb")
        stream = source.stream(target.source_arn) if source is not None else None
        if source is None or stream is None:
            poller.record(target.account, target.region, target.uuid,
                          "PROBLEM: Stream not found", target.position)
            return False
        with self._lock:
            progress = self._progress.get(target.uuid)
            if progress is None or progress.position != target.position:
                progress = self._progress[target.uuid] = Progress(target.position, target.batch_size)
        records = source.records(target.source_arn, target.position, progress.limit)
        if not records:
            return False
        if target.maximum_record_age >= 0:
            oldest = poller.emulator.clock.time() - target.maximum_record_age
            expired = [r for r in records if _created(r) < oldest]
            if expired:  # records arrive in order: the expired ones lead the batch
                if target.on_failure:
                    _send_failure(poller, target, stream, expired, None, None, 0, "RecordAgeExceeded")
                self._advance(poller, target, expired[-1]["dynamodb"]["SequenceNumber"], "OK")
                return True
        batch_end = records[-1]["dynamodb"]["SequenceNumber"]
        shaped = [lambda_record(r, target.source_arn) for r in records]
        if target.filters:  # records no filter matches are passed over, as AWS does
            kept = [passes(target.filters, record) for record in shaped]
            if not any(kept):
                self._advance(poller, target, batch_end, "OK")
                return True
            records = [r for r, keep in zip(records, kept) if keep]
            shaped = [r for r, keep in zip(shaped, kept) if keep]
        event = json.dumps({"Records": shaped})
        invocation = poller.prepare(target.account, target.region, target.uuid, event)
        if invocation is None:
            return False
        outcome = poller.executor.invoke(invocation)
        poller.handed()
        sequences = [r["dynamodb"]["SequenceNumber"] for r in records]
        if outcome is not None and outcome.function_error is None:
            failed = (failed_items(outcome.payload, set(sequences))
                      if "ReportBatchItemFailures" in target.response_types else set())
            if not failed:
                self._advance(poller, target, batch_end, "OK")
                return True
            if failed is not None:
                # Checkpoint before the first failed record: it and what follows are retried.
                first = min(sequences.index(s) for s in failed)
                if first > 0:
                    self._advance(poller, target, sequences[first - 1], "OK")
                    return True
        self._failed(poller, target, stream, records, progress, invocation, outcome)
        return False  # a retry waits for the next round, so a failing function never spins

    def _advance(self, poller: MappingPoller, target: Target, position: str, result: str) -> None:
        with self._lock:
            self._progress.pop(target.uuid, None)
        poller.record(target.account, target.region, target.uuid, result, position)

    def _failed(self, poller: MappingPoller, target: Target, stream: ChangeStream, records: list[dict[str, Any]],
                progress: Progress, invocation: Invocation, outcome: Outcome | None) -> None:
        if target.bisect and len(records) > 1:
            with self._lock:
                progress.limit = (len(records) + 1) // 2
            poller.record(target.account, target.region, target.uuid, "PROBLEM: Function call failed",
                          target.position)
            return
        with self._lock:
            progress.attempts += 1
            exhausted = 0 <= target.maximum_retry_attempts < progress.attempts
        if not exhausted:
            poller.record(target.account, target.region, target.uuid, "PROBLEM: Function call failed",
                          target.position)
            return
        if target.on_failure:
            _send_failure(poller, target, stream, records, invocation, outcome, progress.attempts,
                          "RetryAttemptsExhausted")
        self._advance(poller, target, records[-1]["dynamodb"]["SequenceNumber"], "PROBLEM: Function call failed")


def _created(record: dict[str, Any]) -> float:
    created = record["dynamodb"].get("ApproximateCreationDateTime")
    return created.timestamp() if hasattr(created, "timestamp") else float(created or 0)


def _send_failure(poller: MappingPoller, target: Target, stream: ChangeStream, records: list[dict[str, Any]],
                  invocation: Invocation | None, outcome: Outcome | None, attempts: int, condition: str) -> None:
    """The record AWS sends a stream mapping's on-failure destination: the batch's place in the
    shard, not its records (``invocation`` None: records that expired before any invocation)."""
    clock = poller.emulator.clock
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
        "timestamp": _iso(clock.time()),
        "DDBStreamBatchInfo": {
            "shardId": stream.shard_id,
            "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _iso(_created(records[0])),
            "approximateArrivalOfLastRecord": _iso(_created(records[-1])),
            "batchSize": len(records),
            "streamArn": target.source_arn,
        },
    }
    try:
        poller.emulator.deliver(target.on_failure or "", Message(
            body=json.dumps(document), source_arn=function_arn, sender=target.account))
    except Exception:
        log.exception("on-failure delivery to %s failed", target.on_failure)


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
