"""Delivering a buffer: Lambda processing, then objects into S3, as Firehose does.

Runs off the request path (a timer of the emulator's clock, or right after the request that
filled the buffer), holding no lock while it calls Lambda and S3 through ``emulator.call``,
as any SDK client would: S3 event notifications on the bucket fire for delivered objects.

* Processing: the records go to the destination's Lambda processor in Firehose's event
  (``invocationId``, ``deliveryStreamArn``, ``region``, ``records`` with base64 ``data``). Its
  answer says per record ``Ok`` (new data), ``Dropped`` or ``ProcessingFailed``; a function
  error, an answer that is not that document, or a record it does not answer fails the records
  concerned. Failed records go to the error output (``processing-failed``), as JSON lines.
* Delivery: the records' data, concatenated, in one object (GZIP compressed when configured)
  under the key ``prefixes.object_key`` gives, timed by the first record's arrival. With
  ``S3BackupMode`` Enabled the source records are also written to the backup bucket.
* A failed write (no such bucket, say) keeps the records buffered and retries after the
  buffer interval; records older than 24 hours are then dropped, as AWS gives up on S3 after a day.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.services.firehose import prefixes
from hoarfrost.services.firehose.state import BufferedRecord

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator

log = logging.getLogger("hoarfrost.firehose")

RETRY_LIMIT = 24 * 3600.0


@dataclass(slots=True)
class Batch:
    """A buffer taken for delivery, with the destination as it was when taken."""

    account: str
    region: str
    name: str
    arn: str
    version: int
    destination: dict[str, Any]
    records: list[BufferedRecord]


@dataclass(slots=True)
class Failure:
    record: BufferedRecord
    code: str
    message: str


def _lambda_arn(destination: dict[str, Any]) -> str | None:
    processing = destination.get("ProcessingConfiguration") or {}
    if not processing.get("Enabled"):
        return None
    for processor in processing.get("Processors") or []:
        for parameter in processor.get("Parameters") or []:
            if parameter.get("ParameterName") == "LambdaArn":
                return str(parameter.get("ParameterValue"))
    return None


def transform(emulator: Emulator, batch: Batch, function: str) -> tuple[list[bytes], list[Failure]]:
    """The records' data after the Lambda processor, and the records it failed."""
    from hoarfrost.core.emulator import InternalCallError

    event = {"invocationId": str(uuid.uuid4()), "deliveryStreamArn": batch.arn, "region": batch.region,
             "records": [{"recordId": r.record_id, "approximateArrivalTimestamp": int(r.arrival * 1000),
                          "data": base64.b64encode(r.data).decode("ascii")} for r in batch.records]}
    try:
        output = emulator.call("lambda", "Invoke", {"FunctionName": function, "Payload": json.dumps(event).encode()},
                               account=batch.account, region=batch.region)
    except InternalCallError as error:
        return [], [Failure(r, f"Lambda.{error.code}", error.message) for r in batch.records]
    payload = output.get("Payload") or b""
    body = payload.read() if hasattr(payload, "read") else payload
    if output.get("FunctionError"):
        detail = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        return [], [Failure(r, "Lambda.FunctionError", f"The Lambda function was successfully invoked but it "
                                                       f"returned an error result: {detail}") for r in batch.records]
    try:
        answered = {item["recordId"]: item for item in json.loads(body or b"{}")["records"]}
    except (ValueError, KeyError, TypeError):
        return [], [Failure(r, "Lambda.FunctionError", "The response from the Lambda function was not a valid "
                                                       "Firehose processing response.") for r in batch.records]
    kept: list[bytes] = []
    failed: list[Failure] = []
    for record in batch.records:
        item = answered.get(record.record_id)
        result = item.get("result") if isinstance(item, dict) else None
        if item is None:
            failed.append(Failure(record, "Lambda.MissingRecordId", "One or more record Ids were not returned. "
                                                                    "Ensure that the Lambda function returns all "
                                                                    "received record Ids."))
        elif result == "Ok":
            try:
                kept.append(base64.b64decode(item.get("data") or "", validate=True))
            except (ValueError, TypeError):
                failed.append(Failure(record, "Lambda.InvalidRecordData", "The data of a record returned by the "
                                                                          "Lambda function is not base64."))
        elif result == "ProcessingFailed":
            failed.append(Failure(record, "Lambda.ProcessingFailed", "The Lambda function marked the record as "
                                                                     "failed."))
        elif result != "Dropped":
            failed.append(Failure(record, "Lambda.InvalidReturnedResult", f"Invalid result {result!r} for a record."))
    return kept, failed


def _bucket(destination: dict[str, Any]) -> str:
    arn = try_parse_arn(destination.get("BucketARN") or "")
    return arn.resource if arn is not None else ""


def _put(emulator: Emulator, batch: Batch, bucket: str, key: str, body: bytes) -> None:
    emulator.call("s3", "PutObject", {"Bucket": bucket, "Key": key, "Body": body},
                  account=batch.account, region=batch.region)


def _key(batch: Batch, destination: dict[str, Any], error_type: str | None = None) -> str:
    compressed = destination.get("CompressionFormat") == "GZIP"
    extension = destination.get("FileExtension") or (".gz" if compressed and error_type is None else "")
    prefix = destination.get("Prefix")
    return prefixes.object_key(prefix, batch.name, batch.version, batch.records[0].arrival,
                               time_zone=destination.get("CustomTimeZone"), extension=extension,
                               error_type=error_type, error_prefix=destination.get("ErrorOutputPrefix"),
                               custom=prefixes.has_expressions(prefix))


def write(emulator: Emulator, batch: Batch) -> None:
    """Process and write one batch; raises ``InternalCallError`` when S3 refuses a write."""
    destination = batch.destination
    function = _lambda_arn(destination)
    if function is not None:
        kept, failed = transform(emulator, batch, function)
    else:
        kept, failed = [r.data for r in batch.records], []
    bucket = _bucket(destination)
    if kept:
        body = b"".join(kept)
        if destination.get("CompressionFormat") == "GZIP":
            body = gzip.compress(body, mtime=0)
        _put(emulator, batch, bucket, _key(batch, destination), body)
    if failed:
        now_ms = int(emulator.clock.time() * 1000)
        lines = [json.dumps({"attemptsMade": 1, "arrivalTimestamp": int(f.record.arrival * 1000),
                             "errorCode": f.code, "errorMessage": f.message, "attemptEndingTimestamp": now_ms,
                             "rawData": base64.b64encode(f.record.data).decode("ascii"), "lambdaArn": function})
                 for f in failed]
        _put(emulator, batch, bucket, _key(batch, destination, "processing-failed"), "\n".join(lines).encode() + b"\n")
    backup = destination.get("S3BackupConfiguration")
    if destination.get("S3BackupMode") == "Enabled" and backup:
        backup_destination = {**backup, "CustomTimeZone": destination.get("CustomTimeZone")}
        body = b"".join(r.data for r in batch.records)
        if backup.get("CompressionFormat") == "GZIP":
            body = gzip.compress(body, mtime=0)
        _put(emulator, batch, _bucket(backup), _key(batch, backup_destination), body)


def take(stream: Any, account: str, region: str) -> Batch:
    """The stream's buffer as a batch to deliver (its buffer is emptied); under the lock."""
    return Batch(account, region, stream.name, stream.arn, stream.version, copy.deepcopy(stream.destination),
                 stream.take())


def keep_for_retry(stream: Any, records: list[BufferedRecord], now: float) -> None:
    """Put an undelivered batch back in front of the buffer; records past S3's retry day go."""
    kept = [r for r in records if now - r.arrival < RETRY_LIMIT]
    if len(kept) < len(records):
        log.warning("firehose %s dropped %d records S3 refused for a day", stream.name, len(records) - len(kept))
    stream.buffer[:0] = kept
    stream.buffered_bytes += sum(len(r.data) for r in kept)
