"""What every Kinesis handler shares: finding the stream a request names (StreamName or
StreamARN), its ARN, and the clock-driven upkeep a stream gets before it is used."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import build_arn, try_parse_arn
from hoarfrost.core.operations import RequestContext
from hoarfrost.services.kinesis.errors import errors, stream_not_found, validation
from hoarfrost.services.kinesis.state import Consumer, KinesisBackend, Stream

if TYPE_CHECKING:
    from hoarfrost.services.kinesis.service import KinesisService  # noqa: F401

KinesisContext = RequestContext[KinesisBackend, "KinesisService"]


def stream_arn(ctx: KinesisContext, name: str) -> str:
    return build_arn("kinesis", ctx.scope.region, ctx.scope.account, f"stream/{name}")


def stream_name_of(arn: str) -> str | None:
    """The stream name a stream ARN (or a consumer ARN under it) names."""
    parsed = try_parse_arn(arn)
    if parsed is None or parsed.service != "kinesis" or not parsed.resource.startswith("stream/"):
        return None
    return parsed.resource.split("/")[1]


def requested_name(request: dict[str, Any], arn_member: str = "StreamARN") -> str:
    """The stream a request names by StreamName or StreamARN (both: they must agree)."""
    name, arn = request.get("StreamName"), request.get(arn_member)
    if arn is not None:
        from_arn = stream_name_of(arn)
        if from_arn is None:
            raise validation(f"1 validation error detected: Value '{arn}' at '{arn_member[0].lower()}"
                             f"{arn_member[1:]}' failed to satisfy constraint: Member must satisfy regular "
                             "expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+")
        if name is not None and name != from_arn:
            raise validation("StreamName and StreamARN do not match.")
        return from_arn
    if name is None:
        raise validation("Either StreamName or StreamARN should be provided.")
    return str(name)


def find_stream(ctx: KinesisContext, request: dict[str, Any], arn_member: str = "StreamARN") -> Stream:
    """The stream the request names, trimmed to its retention period by the clock."""
    return stream_named(ctx, requested_name(request, arn_member))


def stream_named(ctx: KinesisContext, name: str) -> Stream:
    stream = ctx.state.streams.get(name)
    if stream is None:
        raise stream_not_found(name, ctx.scope.account)
    stream.expire(ctx.clock.time())
    return stream


def consumer_of(stream: Stream, arn: str) -> Consumer | None:
    """The consumer of ``stream`` a consumer ARN names (its creation suffix must match)."""
    marker = "/consumer/"
    if marker not in arn:
        return None
    name = arn.split(marker, 1)[1].rsplit(":", 1)[0]
    consumer = stream.consumers.get(name)
    return consumer if consumer is not None and consumer.arn == arn else None


def mode_details(stream: Stream) -> dict[str, str]:
    return {"StreamMode": stream.mode}


def monitoring(stream: Stream) -> list[dict[str, list[str]]]:
    return [{"ShardLevelMetrics": list(stream.shard_level_metrics)}]


def encryption(stream: Stream) -> dict[str, str]:
    output = {"EncryptionType": stream.encryption_type}
    if stream.key_id is not None:
        output["KeyId"] = stream.key_id
    return output


# Regions where an account may open 500 shards; 200 elsewhere (AWS's default quotas).
LARGE_SHARD_QUOTA_REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


def shard_limit(region: str) -> int:
    return 500 if region in LARGE_SHARD_QUOTA_REGIONS else 200


def check_shard_quota(ctx: KinesisContext, adding: int) -> None:
    """Refuse opening ``adding`` more shards beyond the account's quota, in AWS's words."""
    limit = shard_limit(ctx.scope.region)
    current = ctx.state.open_shard_count()
    if current + adding > limit:
        raise errors.LimitExceededException(
            f"This request would exceed the shard limit for the account {ctx.scope.account} in {ctx.scope.region}. "
            f"Current shard count for the account: {current}. Limit: {limit}. Number of additional shards that "
            f"would have resulted from this request: {adding}. Refer to the AWS Service Limits page "
            "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to "
            "request higher limits.")


def resource_at(ctx: KinesisContext, arn: str) -> tuple[Stream, Consumer | None]:
    """The stream, or the consumer (with its stream), a ResourceARN names."""
    name = stream_name_of(arn)
    if name is None:
        raise errors.InvalidArgumentException(f"Invalid ARN: {arn}.")
    stream = stream_named(ctx, name)
    if "/consumer/" not in arn:
        if arn != stream.arn:
            raise stream_not_found(name, ctx.scope.account)
        return stream, None
    consumer = consumer_of(stream, arn)
    if consumer is None:
        raise errors.ResourceNotFoundException(f"Consumer {arn} under account {ctx.scope.account} not found.")
    return stream, consumer
