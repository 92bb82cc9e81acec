"""Delivery streams: CreateDeliveryStream, DeleteDeliveryStream, DescribeDeliveryStream,
ListDeliveryStreams, UpdateDestination.

A stream is ACTIVE as soon as CreateDeliveryStream returns (AWS passes through CREATING for a
few seconds). hoarfrost delivers to S3 destinations (``ExtendedS3DestinationConfiguration`` or
``S3DestinationConfiguration``); a stream with any other destination is refused, since
accepting records it would never deliver would be a stub."""

from __future__ import annotations

import copy
from typing import Any

from hoarfrost.core.kit import tags as tagkit
from hoarfrost.core.kit.arn import build_arn, try_parse_arn
from hoarfrost.services.firehose import prefixes
from hoarfrost.services.firehose.errors import errors, invalid
from hoarfrost.services.firehose.handlers import ops
from hoarfrost.services.firehose.handlers.common import FirehoseContext, find_stream
from hoarfrost.services.firehose.handlers.encryption import encryption_settings
from hoarfrost.services.firehose.handlers.tags import TAG_RULES
from hoarfrost.services.firehose.state import (
    DEFAULT_INTERVAL,
    DEFAULT_SIZE_MB,
    DESTINATION_ID,
    DeliveryStream,
)

S3_MEMBERS = ("ExtendedS3DestinationConfiguration", "S3DestinationConfiguration")
OTHER_DESTINATIONS = ("RedshiftDestinationConfiguration", "ElasticsearchDestinationConfiguration",
                      "AmazonopensearchserviceDestinationConfiguration", "SplunkDestinationConfiguration",
                      "HttpEndpointDestinationConfiguration", "AmazonOpenSearchServerlessDestinationConfiguration",
                      "SnowflakeDestinationConfiguration", "IcebergDestinationConfiguration")
# The members DescribeDeliveryStream's S3DestinationDescription has.
S3_DESCRIPTION = ("RoleARN", "BucketARN", "Prefix", "ErrorOutputPrefix", "BufferingHints", "CompressionFormat",
                  "EncryptionConfiguration", "CloudWatchLoggingOptions")


def _with_defaults(config: dict[str, Any]) -> dict[str, Any]:
    """An S3 destination as Firehose describes it: AWS's defaults filled in."""
    out = copy.deepcopy(config)
    hints = out.setdefault("BufferingHints", {})
    hints.setdefault("SizeInMBs", DEFAULT_SIZE_MB)
    hints.setdefault("IntervalInSeconds", DEFAULT_INTERVAL)
    out.setdefault("CompressionFormat", "UNCOMPRESSED")
    out.setdefault("EncryptionConfiguration", {"NoEncryptionConfig": "NoEncryption"})
    out.setdefault("CloudWatchLoggingOptions", {"Enabled": False})
    out.setdefault("S3BackupMode", "Disabled")
    return out


def check_destination(config: dict[str, Any]) -> None:
    """What Firehose checks in an S3 destination before accepting it."""
    bucket = try_parse_arn(config.get("BucketARN") or "")
    if bucket is None or bucket.service != "s3" or not bucket.resource or "/" in bucket.resource:
        raise invalid(f"BucketARN {config.get('BucketARN')} is not a valid S3 bucket ARN.")
    prefixes.check_prefixes(config.get("Prefix"), config.get("ErrorOutputPrefix"))
    prefixes.check_time_zone(config.get("CustomTimeZone"))
    compression = config.get("CompressionFormat", "UNCOMPRESSED")
    if compression not in ("UNCOMPRESSED", "GZIP"):
        raise invalid(f"hoarfrost's Firehose compresses with GZIP only; {compression} is not supported.")
    conversion = config.get("DataFormatConversionConfiguration") or {}
    if conversion.get("Enabled", True) and conversion and compression != "UNCOMPRESSED":
        raise invalid("CompressionFormat must be UNCOMPRESSED when data format conversion is enabled.")
    if (config.get("DynamicPartitioningConfiguration") or {}).get("Enabled"):
        raise invalid("hoarfrost's Firehose does not support dynamic partitioning.")
    processing = config.get("ProcessingConfiguration") or {}
    for processor in processing.get("Processors") or []:
        if processor.get("Type") != "Lambda":
            raise invalid(f"hoarfrost's Firehose runs Lambda processors only, not {processor.get('Type')}.")
        names = {p.get("ParameterName") for p in processor.get("Parameters") or []}
        if processing.get("Enabled") and "LambdaArn" not in names:
            raise invalid("LambdaArn must be specified for a Lambda processor.")


def arn_of(ctx: FirehoseContext, name: str) -> str:
    return build_arn("firehose", ctx.scope.region, ctx.scope.account, f"deliverystream/{name}")


@ops.operation
def create_delivery_stream(ctx: FirehoseContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request["DeliveryStreamName"]
    stream_type = request.get("DeliveryStreamType", "DirectPut")
    if stream_type not in ("DirectPut", "KinesisStreamAsSource"):
        raise invalid(f"hoarfrost's Firehose reads DirectPut and KinesisStreamAsSource streams, not {stream_type}.")
    given = [m for m in (*S3_MEMBERS, *OTHER_DESTINATIONS) if request.get(m) is not None]
    if len(given) != 1:
        raise invalid("Exactly one destination configuration must be specified.")
    if given[0] in OTHER_DESTINATIONS:
        raise invalid(f"hoarfrost's Firehose delivers to S3 destinations only; {given[0]} is not supported.")
    source = request.get("KinesisStreamSourceConfiguration")
    if stream_type == "KinesisStreamAsSource":
        if source is None:
            raise invalid("KinesisStreamSourceConfiguration is required for a KinesisStreamAsSource stream.")
        probe = ctx.emulator.ports.probe("kinesis")
        if probe is None or not probe(source["KinesisStreamARN"]):
            raise invalid(f"Stream {source['KinesisStreamARN']} does not exist or is not accessible.")
        if request.get("DeliveryStreamEncryptionConfigurationInput"):
            raise invalid("Server-side encryption cannot be enabled for a KinesisStreamAsSource delivery stream; "
                          "encrypt the source stream instead.")
    elif source is not None:
        raise invalid("KinesisStreamSourceConfiguration is only allowed for a KinesisStreamAsSource stream.")
    if name in ctx.state.streams:
        raise errors.ResourceInUseException(f"Firehose {name} under accountId {ctx.scope.account} already exists")
    config = request[given[0]]
    check_destination(config)
    tags = tagkit.check(tagkit.from_list(request.get("Tags"), TAG_RULES), TAG_RULES)
    encryption = {"Status": "DISABLED"}
    if request.get("DeliveryStreamEncryptionConfigurationInput"):
        encryption = encryption_settings(ctx, request["DeliveryStreamEncryptionConfigurationInput"])
    now = ctx.clock.time()
    stream = DeliveryStream(name, arn_of(ctx, name), now, _with_defaults(config), stream_type=stream_type,
                            legacy_s3=given[0] == "S3DestinationConfiguration", encryption=encryption, tags=tags,
                            source=dict(source) if source is not None else None)
    ctx.state.streams[name] = stream
    if source is not None:
        scope = (ctx.scope.account, ctx.scope.region, name)
        ctx.after_commit(lambda: ctx.service.start_polling(*scope))
    return {"DeliveryStreamARN": stream.arn}


@ops.operation
def delete_delivery_stream(ctx: FirehoseContext, request: dict[str, Any]) -> None:
    """The stream goes at once; records still buffered are lost, as in AWS."""
    stream = find_stream(ctx, request["DeliveryStreamName"])
    del ctx.state.streams[stream.name]


def _description(stream: DeliveryStream) -> dict[str, Any]:
    destination: dict[str, Any] = {"DestinationId": DESTINATION_ID}
    extended = copy.deepcopy(stream.destination)
    backup = extended.pop("S3BackupConfiguration", None)
    if backup is not None:
        extended["S3BackupDescription"] = _with_defaults(backup)
    destination["S3DestinationDescription"] = {k: extended[k] for k in S3_DESCRIPTION if k in extended}
    destination["ExtendedS3DestinationDescription"] = extended
    description: dict[str, Any] = {
        "DeliveryStreamName": stream.name, "DeliveryStreamARN": stream.arn, "DeliveryStreamStatus": stream.status,
        "DeliveryStreamEncryptionConfiguration": dict(stream.encryption), "DeliveryStreamType": stream.stream_type,
        "VersionId": str(stream.version), "CreateTimestamp": stream.created, "Destinations": [destination],
        "HasMoreDestinations": False,
    }
    if stream.last_update is not None:
        description["LastUpdateTimestamp"] = stream.last_update
    if stream.source is not None:
        description["Source"] = {"KinesisStreamSourceDescription": {**stream.source,
                                                                    "DeliveryStartTimestamp": stream.created}}
    return description


@ops.operation
def describe_delivery_stream(ctx: FirehoseContext, request: dict[str, Any]) -> dict[str, Any]:
    stream = find_stream(ctx, request["DeliveryStreamName"])
    description = _description(stream)
    if (request.get("ExclusiveStartDestinationId") or "") >= DESTINATION_ID:
        description["Destinations"] = []
    return {"DeliveryStreamDescription": description}


@ops.operation
def list_delivery_streams(ctx: FirehoseContext, request: dict[str, Any]) -> dict[str, Any]:
    kind = request.get("DeliveryStreamType")
    names = sorted(n for n, s in ctx.state.streams.items() if kind is None or s.stream_type == kind)
    start = request.get("ExclusiveStartDeliveryStreamName")
    if start is not None:
        names = [n for n in names if n > start]
    limit = request.get("Limit") or 10
    return {"DeliveryStreamNames": names[:limit], "HasMoreDeliveryStreams": len(names) > limit}


@ops.operation
def update_destination(ctx: FirehoseContext, request: dict[str, Any]) -> None:
    """Overlay the update on the S3 destination; the version id moves on, and objects written
    after it carry the new version in their names."""
    stream = find_stream(ctx, request["DeliveryStreamName"])
    if request["CurrentDeliveryStreamVersionId"] != str(stream.version):
        raise errors.ConcurrentModificationException(
            f"Cannot update firehose: {stream.name} since the current version id: {stream.version} and "
            f"specified version id: {request['CurrentDeliveryStreamVersionId']} do not match")
    if request["DestinationId"] != DESTINATION_ID:
        raise invalid(f"Destination Id {request['DestinationId']} not found.")
    update = request.get("ExtendedS3DestinationUpdate") or request.get("S3DestinationUpdate")
    others = [m for m in request if m.endswith("DestinationUpdate") and m not in ("ExtendedS3DestinationUpdate",
                                                                                 "S3DestinationUpdate")]
    if others:
        raise invalid(f"hoarfrost's Firehose delivers to S3 destinations only; {others[0]} is not supported.")
    if update is None:
        raise invalid("A destination update must be specified.")
    merged = copy.deepcopy(stream.destination)
    for key, value in update.items():
        if key == "S3BackupUpdate":
            merged["S3BackupConfiguration"] = {**merged.get("S3BackupConfiguration", {}), **value}
        elif isinstance(value, dict) and isinstance(merged.get(key), dict) and key == "BufferingHints":
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    check_destination(merged)
    stream.destination = _with_defaults(merged)
    stream.version += 1
    stream.last_update = ctx.clock.time()
    scope = (ctx.scope.account, ctx.scope.region, stream.name)
    ctx.after_commit(lambda: ctx.service.schedule_flush(*scope))
