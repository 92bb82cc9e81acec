"""ListStreams, DescribeStream, GetShardIterator, GetRecords.

Each stream has one shard. An iterator is a tamper-evident token of (stream, shard, position,
issue time); it expires fifteen minutes after it was issued, by the emulator's clock."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.errors import ValidationException
from hoarfrost.core.kit.paging import key_token, token_key
from hoarfrost.core.operations import RequestContext
from hoarfrost.core.ports import ChangeStream, StreamSource
from hoarfrost.services.dynamodbstreams.errors import errors, stream_not_found
from hoarfrost.services.dynamodbstreams.handlers import ops
from hoarfrost.services.dynamodbstreams.state import DynamoDbStreamsBackend

StreamsContext = RequestContext[DynamoDbStreamsBackend, Any]

ITERATOR_KIND = "dynamodbstreams:ShardIterator"
ITERATOR_LIFETIME = 15 * 60.0
MAX_RECORDS = 1000


def _source(ctx: StreamsContext) -> StreamSource:
    source = ctx.emulator.ports.streams("dynamodb")
    if source is None:  # DynamoDB is part of every hoarfrost; this is a broken installation
        raise errors.InternalServerError("DynamoDB's streams are not available")
    return source


def _stream(ctx: StreamsContext, arn: str) -> ChangeStream:
    stream = _source(ctx).stream(arn)
    if stream is None:
        raise stream_not_found(arn)
    return stream


def shard_id(stream: ChangeStream) -> str:
    return stream.shard_id


@ops.operation
def list_streams(ctx: StreamsContext, request: dict[str, Any]) -> dict[str, Any]:
    streams = sorted(_source(ctx).list_streams(ctx.account, ctx.region), key=lambda s: s.arn)
    table = request.get("TableName")
    if table is not None:
        streams = [s for s in streams if s.source_name == table]
    start = request.get("ExclusiveStartStreamArn")
    if start is not None:
        streams = [s for s in streams if s.arn > start]
    limit = request.get("Limit", 100)
    page = streams[:limit]
    output: dict[str, Any] = {"Streams": [{"StreamArn": s.arn, "TableName": s.source_name, "StreamLabel": s.label}
                                          for s in page]}
    if len(streams) > limit:
        output["LastEvaluatedStreamArn"] = page[-1].arn
    return output


@ops.operation
def describe_stream(ctx: StreamsContext, request: dict[str, Any]) -> dict[str, Any]:
    stream = _stream(ctx, request["StreamArn"])
    shard: dict[str, Any] = {"ShardId": shard_id(stream), "SequenceNumberRange": {
        "StartingSequenceNumber": stream.first_sequence or "0" * 21}}
    if stream.status == "DISABLED" and stream.last_sequence is not None:
        shard["SequenceNumberRange"]["EndingSequenceNumber"] = stream.last_sequence
    shards = [shard] if request.get("ExclusiveStartShardId") != shard["ShardId"] else []
    return {"StreamDescription": {
        "StreamArn": stream.arn, "StreamLabel": stream.label, "StreamStatus": stream.status,
        "StreamViewType": stream.view_type, "CreationRequestDateTime": stream.created,
        "TableName": stream.source_name, "KeySchema": [dict(k) for k in stream.key_schema], "Shards": shards,
    }}


def _iterator(ctx: StreamsContext, arn: str, shard: str, after: str | None) -> str:
    return key_token(ITERATOR_KIND, (arn, shard, after or "", int(ctx.clock.time() * 1000)))


def _invalid_iterator() -> Exception:
    return ValidationException("Invalid ShardIterator")


@ops.operation
def get_shard_iterator(ctx: StreamsContext, request: dict[str, Any]) -> dict[str, Any]:
    stream = _stream(ctx, request["StreamArn"])
    shard = request["ShardId"]
    if shard != shard_id(stream):
        raise errors.ResourceNotFoundException("Requested resource not found: Shard does not exist")
    kind = request["ShardIteratorType"]
    sequence = request.get("SequenceNumber")
    if kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        if sequence is None or not sequence.isdigit():
            raise ValidationException(f"SequenceNumber is required and must be a number for {kind}")
        after: str | None = sequence if kind == "AFTER_SEQUENCE_NUMBER" else str(int(sequence) - 1).zfill(
            len(sequence))
    elif kind == "LATEST":
        after = stream.last_sequence or "0" * 21
    else:  # TRIM_HORIZON
        after = None
    return {"ShardIterator": _iterator(ctx, stream.arn, shard, after)}


@ops.operation
def get_records(ctx: StreamsContext, request: dict[str, Any]) -> dict[str, Any]:
    position = token_key(ITERATOR_KIND, request["ShardIterator"], _invalid_iterator)  # a list comes back a tuple
    if not isinstance(position, tuple) or len(position) != 4:
        raise _invalid_iterator()
    arn, shard, after, issued = position
    now_ms = int(ctx.clock.time() * 1000)
    if now_ms - int(issued) > ITERATOR_LIFETIME * 1000:
        raise errors.ExpiredIteratorException(
            f"Iterator expired. The iterator was created at time {issued} while right now it is {now_ms}.")
    limit = request.get("Limit", MAX_RECORDS)
    stream = _stream(ctx, str(arn))
    records = _source(ctx).records(stream.arn, str(after) or None, limit)
    if records is None:
        raise stream_not_found(str(arn))
    last = records[-1]["dynamodb"]["SequenceNumber"] if records else (str(after) or None)
    output: dict[str, Any] = {"Records": records}
    if stream.status == "ENABLED" or records:
        output["NextShardIterator"] = _iterator(ctx, stream.arn, str(shard), last)
    return output
