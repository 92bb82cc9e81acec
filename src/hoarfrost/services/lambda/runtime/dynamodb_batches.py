"""DynamoDB stream event source mappings: records read through the core change-stream port
(``emulator.ports.streams("dynamodb")``; nothing of DynamoDB is imported), shaped as Lambda's
DynamoDB event has them, in sequence order (a stream here has one shard), and settled by
``stream_batches`` as every stream mapping's batches are."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .stream_batches import Shard, ShardRecord, seconds

if TYPE_CHECKING:
    from .mapping_poller import MappingPoller, Target


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


def read_dynamodb_stream(poller: MappingPoller, target: Target) -> bool:
    """Read the mapping's next batch and settle it; True when the mapping moved on."""
    source = poller.emulator.ports.streams("dynamodb")
    stream = source.stream(target.source_arn) if source is not None else None
    if source is None or stream is None:
        poller.record(target.account, target.region, target.uuid, "PROBLEM: Stream not found", target.position)
        return False
    shard = Shard(stream.shard_id, target.position, "DDBStreamBatchInfo", per_shard=False)
    records = source.records(target.source_arn, target.position, poller.settler.batch_size(target, shard))
    return poller.settler.settle(poller, target, shard, [
        ShardRecord(r["dynamodb"]["SequenceNumber"], seconds(r["dynamodb"].get("ApproximateCreationDateTime")),
                    lambda_record(r, target.source_arn)) for r in records or ()])
