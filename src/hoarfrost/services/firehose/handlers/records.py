"""PutRecord and PutRecordBatch into a DirectPut stream's buffer.

Each stream has AWS's default throughput quota per second of the emulator's clock (500,000
records, 2,000 requests and 5 MiB in us-east-1, us-west-2 and eu-west-1; 100,000, 1,000 and
1 MiB elsewhere): PutRecord beyond it is refused and PutRecordBatch fails the records beyond it
alone, with ServiceUnavailableException "Slow down.", as AWS does. A buffer that reaches its
size hint is delivered right after the request; otherwise its interval's timer delivers it."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.services.firehose.errors import errors, invalid
from hoarfrost.services.firehose.handlers import ops
from hoarfrost.services.firehose.handlers.common import FirehoseContext, find_stream
from hoarfrost.services.firehose.state import (
    MIB,
    BufferedRecord,
    DeliveryStream,
    new_record_id,
)

MAX_BATCH_BYTES = 4 * MIB
LARGE_QUOTA_REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


def quota(region: str) -> tuple[int, int, int]:
    """(records, requests, bytes) a stream takes per second."""
    if region in LARGE_QUOTA_REGIONS:
        return 500_000, 2_000, 5 * MIB
    return 100_000, 1_000, 1 * MIB


def _slow_down() -> ServiceError:
    return errors.ServiceUnavailableException("Slow down.")


def _usable(ctx: FirehoseContext, name: str) -> DeliveryStream:
    stream = find_stream(ctx, name)
    if stream.stream_type != "DirectPut":
        raise invalid(f"This operation is not permitted on {stream.stream_type} delivery stream type.")
    return stream


def _window(ctx: FirehoseContext, stream: DeliveryStream) -> tuple[int, int]:
    """This second's quota left for ``stream``, one request counted."""
    second = int(ctx.clock.time())
    if stream.quota_second != second:
        stream.quota_second, stream.quota_records, stream.quota_bytes, stream.quota_requests = second, 0, 0, 0
    records, requests, size = quota(ctx.scope.region)
    stream.quota_requests += 1
    if stream.quota_requests > requests:
        raise _slow_down()
    return records - stream.quota_records, size - stream.quota_bytes


def _accept(ctx: FirehoseContext, stream: DeliveryStream, data: bytes, now: float) -> str:
    identifier = new_record_id()
    stream.add(BufferedRecord(identifier, data, now))
    stream.quota_records += 1
    stream.quota_bytes += len(data)
    return identifier


def _after(ctx: FirehoseContext, stream: DeliveryStream, was_empty: bool) -> None:
    """Deliver a full buffer after the request; start the interval of a buffer just begun."""
    scope = (ctx.scope.account, ctx.scope.region, stream.name)
    if stream.buffered_bytes >= stream.size_limit or stream.interval == 0:
        ctx.after_commit(lambda: ctx.service.flush(*scope))
    elif was_empty and stream.buffer:
        ctx.after_commit(lambda: ctx.service.schedule_flush(*scope))


def _encrypted(stream: DeliveryStream) -> bool:
    return stream.encryption.get("Status") == "ENABLED"


@ops.operation
def put_record(ctx: FirehoseContext, request: dict[str, Any]) -> dict[str, Any]:
    stream = _usable(ctx, request["DeliveryStreamName"])
    data = request["Record"]["Data"]
    records_left, bytes_left = _window(ctx, stream)
    if records_left < 1 or len(data) > bytes_left:
        raise _slow_down()
    was_empty = not stream.buffer
    identifier = _accept(ctx, stream, data, ctx.clock.time())
    _after(ctx, stream, was_empty)
    return {"RecordId": identifier, "Encrypted": _encrypted(stream)}


@ops.operation
def put_record_batch(ctx: FirehoseContext, request: dict[str, Any]) -> dict[str, Any]:
    stream = _usable(ctx, request["DeliveryStreamName"])
    entries = request["Records"]
    total = sum(len(entry["Data"]) for entry in entries)
    if total > MAX_BATCH_BYTES:
        raise invalid(f"Records size exceeds 4 MiB limit: the batch holds {total} bytes.")
    records_left, bytes_left = _window(ctx, stream)
    was_empty = not stream.buffer
    now = ctx.clock.time()
    responses: list[dict[str, Any]] = []
    failed = 0
    for entry in entries:
        data = entry["Data"]
        if records_left < 1 or len(data) > bytes_left:
            failed += 1
            responses.append({"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."})
            continue
        records_left -= 1
        bytes_left -= len(data)
        responses.append({"RecordId": _accept(ctx, stream, data, now)})
    _after(ctx, stream, was_empty)
    return {"FailedPutCount": failed, "Encrypted": _encrypted(stream), "RequestResponses": responses}
