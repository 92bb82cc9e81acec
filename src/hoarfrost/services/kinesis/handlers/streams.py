"""Streams: CreateStream, DeleteStream, DescribeStream, DescribeStreamSummary, ListStreams,
UpdateStreamMode, the retention period, enhanced monitoring and DescribeLimits.

A stream is ACTIVE as soon as CreateStream returns (AWS passes through CREATING for seconds;
the ``stream_exists`` waiter sees ACTIVE on its first look)."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.kit import tags as tagkit
from hoarfrost.core.kit.paging import key_token, token_key
from hoarfrost.services.kinesis.errors import errors, invalid
from hoarfrost.services.kinesis.handlers import ops
from hoarfrost.services.kinesis.handlers.common import (
    KinesisContext,
    check_shard_quota,
    encryption,
    find_stream,
    mode_details,
    monitoring,
    shard_limit,
    stream_arn,
)
from hoarfrost.services.kinesis.handlers.shards import shard_output
from hoarfrost.services.kinesis.handlers.tags import TAG_RULES
from hoarfrost.services.kinesis.state import Stream, uniform_ranges

ON_DEMAND_SHARDS = 4  # an on-demand stream starts with AWS's 4 MiB/s of write capacity
ON_DEMAND_STREAM_LIMIT = 50
MIN_RETENTION, MAX_RETENTION = 24, 8760
SHARD_LEVEL_METRICS = ("IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
                       "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded",
                       "IteratorAgeMilliseconds")
@ops.operation
def create_stream(ctx: KinesisContext, request: dict[str, Any]) -> None:
    name = request["StreamName"]
    mode = (request.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED")
    count = request.get("ShardCount")
    if mode == "PROVISIONED":
        if count is None:
            raise errors.ValidationException("ShardCount is required for a stream in PROVISIONED mode.")
    else:
        count = ON_DEMAND_SHARDS
        if ctx.state.on_demand_count() >= ON_DEMAND_STREAM_LIMIT:
            raise errors.LimitExceededException(
                f"This request would exceed the on-demand stream limit of {ON_DEMAND_STREAM_LIMIT} for the account "
                f"{ctx.scope.account} in {ctx.scope.region}.")
    if name in ctx.state.streams:
        raise errors.ResourceInUseException(f"Stream {name} under account {ctx.scope.account} already exists.")
    tags = tagkit.check(request.get("Tags") or {}, TAG_RULES)
    check_shard_quota(ctx, count)
    now = ctx.clock.time()
    stream = Stream(name, stream_arn(ctx, name), now, mode=mode, tags=tags,
                    max_record_size_kib=request.get("MaxRecordSizeInKiB") or 1024)
    for start, end in uniform_ranges(count):
        stream.add_shard(start, end, now)
    stream.reindex()
    ctx.state.streams[name] = stream


@ops.operation
def delete_stream(ctx: KinesisContext, request: dict[str, Any]) -> None:
    stream = find_stream(ctx, request)
    if stream.consumers and not request.get("EnforceConsumerDeletion"):
        raise errors.ResourceInUseException(
            f"Stream {stream.name} under account {ctx.scope.account} has registered consumers. Deregister all "
            "consumers, or set EnforceConsumerDeletion to true, before deleting the stream.")
    del ctx.state.streams[stream.name]


def _summary_fields(stream: Stream) -> dict[str, Any]:
    return {
        "StreamName": stream.name, "StreamARN": stream.arn, "StreamStatus": stream.status,
        "StreamModeDetails": mode_details(stream), "RetentionPeriodHours": stream.retention_hours,
        "StreamCreationTimestamp": stream.created, "EnhancedMonitoring": monitoring(stream),
        **encryption(stream),
    }


@ops.operation
def describe_stream(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    """One page of the stream's shards (closed ones within retention included), in index order."""
    stream = find_stream(ctx, request)
    shards = list(stream.shards.values())
    start = request.get("ExclusiveStartShardId")
    if start is not None:
        shards = [s for s in shards if s.shard_id > start]
    limit = request.get("Limit") or 100
    page = shards[:limit]
    return {"StreamDescription": {
        **_summary_fields(stream), "Shards": [shard_output(s) for s in page], "HasMoreShards": len(shards) > limit,
    }}


@ops.operation
def describe_stream_summary(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    stream = find_stream(ctx, request)
    return {"StreamDescriptionSummary": {
        **_summary_fields(stream), "OpenShardCount": stream.open_count, "ConsumerCount": len(stream.consumers),
        "MaxRecordSizeInKiB": stream.max_record_size_kib,
    }}


LIST_KIND = "kinesis:ListStreams"


def _bad_token() -> Exception:
    return invalid("NextToken is invalid or expired.")


@ops.operation
def list_streams(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    """Streams by name; paged by ExclusiveStartStreamName or by NextToken (which resumes after a
    name, so a deleted stream does not shift the next page)."""
    names = sorted(ctx.state.streams)
    after = request.get("ExclusiveStartStreamName")
    token = request.get("NextToken")
    if token is not None:
        after = str(token_key(LIST_KIND, token, _bad_token))
    if after is not None:
        names = [n for n in names if n > after]
    limit = request.get("Limit") or 100
    page = names[:limit]
    more = len(names) > limit
    output: dict[str, Any] = {"StreamNames": page, "HasMoreStreams": more, "StreamSummaries": [
        {"StreamName": n, "StreamARN": s.arn, "StreamStatus": s.status, "StreamModeDetails": mode_details(s),
         "StreamCreationTimestamp": s.created} for n in page for s in (ctx.state.streams[n],)]}
    if more:
        output["NextToken"] = key_token(LIST_KIND, page[-1])
    return output


@ops.operation
def update_stream_mode(ctx: KinesisContext, request: dict[str, Any]) -> None:
    stream = find_stream(ctx, request)
    mode = request["StreamModeDetails"]["StreamMode"]
    if mode == stream.mode:
        raise errors.ResourceInUseException(
            f"Stream {stream.name} under account {ctx.scope.account} is already in {mode} mode.")
    if mode == "ON_DEMAND" and ctx.state.on_demand_count() >= ON_DEMAND_STREAM_LIMIT:
        raise errors.LimitExceededException(
            f"This request would exceed the on-demand stream limit of {ON_DEMAND_STREAM_LIMIT} for the account "
            f"{ctx.scope.account} in {ctx.scope.region}.")
    stream.mode = mode


@ops.operation
def increase_stream_retention_period(ctx: KinesisContext, request: dict[str, Any]) -> None:
    stream = find_stream(ctx, request)
    hours = request["RetentionPeriodHours"]
    if hours > MAX_RETENTION:
        raise invalid(f"Maximum allowed retention period is {MAX_RETENTION} hours. Requested retention period "
                      f"({hours} hours) is too long.")
    if hours < stream.retention_hours:
        raise invalid(f"Requested retention period ({hours} hours) for stream {stream.name} can not be shorter "
                      f"than existing retention period ({stream.retention_hours} hours). Use "
                      "DecreaseRetentionPeriod API.")
    stream.retention_hours = hours


@ops.operation
def decrease_stream_retention_period(ctx: KinesisContext, request: dict[str, Any]) -> None:
    stream = find_stream(ctx, request)
    hours = request["RetentionPeriodHours"]
    if hours < MIN_RETENTION:
        raise invalid(f"Minimum allowed retention period is {MIN_RETENTION} hours. Requested retention period "
                      f"({hours} hours) is too short.")
    if hours > stream.retention_hours:
        raise invalid(f"Requested retention period ({hours} hours) for stream {stream.name} can not be longer "
                      f"than existing retention period ({stream.retention_hours} hours). Use "
                      "IncreaseRetentionPeriod API.")
    stream.retention_hours = hours
    stream.expire(ctx.clock.time())


def _metrics(requested: list[str]) -> set[str]:
    return set(SHARD_LEVEL_METRICS) if "ALL" in requested else set(requested)


def _monitoring_output(stream: Stream, before: list[str]) -> dict[str, Any]:
    return {"StreamName": stream.name, "StreamARN": stream.arn, "CurrentShardLevelMetrics": before,
            "DesiredShardLevelMetrics": list(stream.shard_level_metrics)}


@ops.operation
def enable_enhanced_monitoring(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    stream = find_stream(ctx, request)
    before = list(stream.shard_level_metrics)
    wanted = set(before) | _metrics(request["ShardLevelMetrics"])
    stream.shard_level_metrics = [m for m in SHARD_LEVEL_METRICS if m in wanted]
    return _monitoring_output(stream, before)


@ops.operation
def disable_enhanced_monitoring(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    stream = find_stream(ctx, request)
    before = list(stream.shard_level_metrics)
    removed = _metrics(request["ShardLevelMetrics"])
    stream.shard_level_metrics = [m for m in before if m not in removed]
    return _monitoring_output(stream, before)


@ops.operation
def describe_limits(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"ShardLimit": shard_limit(ctx.scope.region), "OpenShardCount": ctx.state.open_shard_count(),
            "OnDemandStreamCount": ctx.state.on_demand_count(), "OnDemandStreamCountLimit": ON_DEMAND_STREAM_LIMIT}


@ops.operation
def update_max_record_size(ctx: KinesisContext, request: dict[str, Any]) -> None:
    """The largest record (data and partition key) the stream accepts, 1 to 10 MiB."""
    stream = find_stream(ctx, request)
    stream.max_record_size_kib = request["MaxRecordSizeInKiB"]
