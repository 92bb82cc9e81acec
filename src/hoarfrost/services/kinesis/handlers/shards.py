"""Shards: ListShards with its filters, and resharding (SplitShard, MergeShards,
UpdateShardCount) with parent and child shards.

A reshard closes the parents at once (their EndingSequenceNumber is set; they stay readable
until their records age out) and opens the children; the stream stays ACTIVE, where AWS shows
UPDATING for some seconds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hoarfrost.core.kit.paging import key_token, token_key
from hoarfrost.services.kinesis.errors import (
    errors,
    invalid,
    shard_not_found,
    validation,
)
from hoarfrost.services.kinesis.handlers import ops
from hoarfrost.services.kinesis.handlers.common import (
    KinesisContext,
    check_shard_quota,
    find_stream,
    stream_named,
)
from hoarfrost.services.kinesis.state import Shard, Stream, uniform_ranges

LIST_KIND = "kinesis:ListShards"


def shard_output(shard: Shard) -> dict[str, Any]:
    output: dict[str, Any] = {
        "ShardId": shard.shard_id,
        "HashKeyRange": {"StartingHashKey": str(shard.hash_start), "EndingHashKey": str(shard.hash_end)},
        "SequenceNumberRange": {"StartingSequenceNumber": str(shard.starting_sequence)},
    }
    if shard.parent is not None:
        output["ParentShardId"] = shard.parent
    if shard.adjacent_parent is not None:
        output["AdjacentParentShardId"] = shard.adjacent_parent
    if shard.ending_sequence is not None:
        output["SequenceNumberRange"]["EndingSequenceNumber"] = str(shard.ending_sequence)
    return output


def children_of(stream: Stream, shard: Shard) -> list[Shard]:
    return [s for s in stream.shards.values() if shard.shard_id in (s.parent, s.adjacent_parent)]


def child_output(stream: Stream, shard: Shard) -> list[dict[str, Any]]:
    """GetRecords' and SubscribeToShard's ChildShards: each child with its parents and range."""
    return [{"ShardId": child.shard_id,
             "ParentShards": [p for p in (child.parent, child.adjacent_parent) if p is not None],
             "HashKeyRange": {"StartingHashKey": str(child.hash_start), "EndingHashKey": str(child.hash_end)}}
            for child in children_of(stream, shard)]


def find_shard(ctx: KinesisContext, stream: Stream, shard_id: str) -> Shard:
    shard = stream.shards.get(shard_id)
    if shard is None:
        raise shard_not_found(shard_id, stream.name, ctx.scope.account)
    return shard


def _moment(value: Any) -> float:
    return value.timestamp() if isinstance(value, dt.datetime) else float(value)


def _filtered(stream: Stream, shard_filter: dict[str, Any], now: float) -> list[Shard]:
    """The shards a ShardFilter keeps, in index order."""
    kind = shard_filter["Type"]
    shards = list(stream.shards.values())
    shard_id, timestamp = shard_filter.get("ShardId"), shard_filter.get("Timestamp")
    if kind == "AFTER_SHARD_ID":
        if shard_id is None:
            raise invalid("Must specify ShardId in ShardFilter when ShardFilter type is AFTER_SHARD_ID.")
        return [s for s in shards if s.shard_id > shard_id]
    if shard_id is not None:
        raise invalid("ShardId can only be provided when ShardFilter type is AFTER_SHARD_ID.")
    if kind in ("AT_TIMESTAMP", "FROM_TIMESTAMP"):
        if timestamp is None:
            raise invalid(f"Must specify Timestamp in ShardFilter when ShardFilter type is {kind}.")
        moment = _moment(timestamp)
    elif timestamp is not None:
        raise invalid("Timestamp can only be provided when ShardFilter type is AT_TIMESTAMP or FROM_TIMESTAMP.")
    if kind == "AT_LATEST":
        return [s for s in shards if s.is_open]
    if kind == "FROM_TRIM_HORIZON":
        return shards
    if kind == "AT_TRIM_HORIZON":
        moment = stream.horizon(now)
        return [s for s in shards if s.open_at(moment)]
    if kind == "AT_TIMESTAMP":
        return [s for s in shards if s.open_at(moment)]
    # FROM_TIMESTAMP: those open then and every shard opened since.
    return [s for s in shards if s.open_at(moment) or s.created > moment]


@ops.operation
def list_shards(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    """The stream's shards (closed ones within retention included) in index order. NextToken
    carries the stream, the filter and the last shard listed."""
    token = request.get("NextToken")
    if token is not None:
        if "StreamName" in request or "StreamARN" in request:
            raise invalid("NextToken and StreamName cannot be provided together.")
        position = token_key(LIST_KIND, token, lambda: errors.ExpiredNextTokenException("Invalid NextToken."))
        if not isinstance(position, tuple) or len(position) != 3:
            raise errors.ExpiredNextTokenException("Invalid NextToken.")
        name, after, filter_key = (str(p) for p in position)
        stream = stream_named(ctx, name)
        shard_filter = _filter_from_key(filter_key)
    else:
        stream = find_stream(ctx, request)
        after = request.get("ExclusiveStartShardId") or ""
        shard_filter = request.get("ShardFilter")
        filter_key = _filter_key(shard_filter)
    now = ctx.clock.time()
    shards = _filtered(stream, shard_filter, now) if shard_filter else list(stream.shards.values())
    if after:
        shards = [s for s in shards if s.shard_id > after]
    limit = request.get("MaxResults") or 1000
    page = shards[:limit]
    output: dict[str, Any] = {"Shards": [shard_output(s) for s in page]}
    if len(shards) > limit:
        output["NextToken"] = key_token(LIST_KIND, (stream.name, page[-1].shard_id, filter_key))
    return output


def _filter_key(shard_filter: dict[str, Any] | None) -> str:
    if not shard_filter:
        return ""
    timestamp = shard_filter.get("Timestamp")
    moment = "" if timestamp is None else repr(_moment(timestamp))
    return "|".join((shard_filter["Type"], shard_filter.get("ShardId") or "", moment))


def _filter_from_key(key: str) -> dict[str, Any] | None:
    if not key:
        return None
    kind, shard_id, moment = key.split("|")
    shard_filter: dict[str, Any] = {"Type": kind}
    if shard_id:
        shard_filter["ShardId"] = shard_id
    if moment:
        shard_filter["Timestamp"] = float(moment)
    return shard_filter


def _provisioned(ctx: KinesisContext, stream: Stream, operation: str) -> None:
    if stream.mode == "ON_DEMAND":
        raise validation(f"{operation} is not supported for stream {stream.name} under account "
                         f"{ctx.scope.account} because it is in On-Demand mode.")


def _open(ctx: KinesisContext, stream: Stream, shard: Shard) -> None:
    if not shard.is_open:
        raise errors.ResourceInUseException(
            f"Shard {shard.shard_id} in stream {stream.name} under account {ctx.scope.account} has already been "
            "merged or split, and thus is not eligible for merging or splitting.")


@ops.operation
def split_shard(ctx: KinesisContext, request: dict[str, Any]) -> None:
    stream = find_stream(ctx, request)
    _provisioned(ctx, stream, "SplitShard")
    shard = find_shard(ctx, stream, request["ShardToSplit"])
    _open(ctx, stream, shard)
    text = request["NewStartingHashKey"]
    key = int(text) if text.isdigit() else -1
    if not shard.hash_start + 1 < key < shard.hash_end:
        raise invalid(f"NewStartingHashKey {text} used in SplitShard() on shard {shard.shard_id} in stream "
                      f"{stream.name} under account {ctx.scope.account} is not both greater than one plus the "
                      f"shard's StartingHashKey {shard.hash_start} and less than the shard's EndingHashKey "
                      f"{shard.hash_end}.")
    check_shard_quota(ctx, 1)
    now = ctx.clock.time()
    stream.close(shard, now)
    stream.add_shard(shard.hash_start, key - 1, now, parent=shard.shard_id)
    stream.add_shard(key, shard.hash_end, now, parent=shard.shard_id)
    stream.reindex()


@ops.operation
def merge_shards(ctx: KinesisContext, request: dict[str, Any]) -> None:
    stream = find_stream(ctx, request)
    _provisioned(ctx, stream, "MergeShards")
    shard = find_shard(ctx, stream, request["ShardToMerge"])
    adjacent = find_shard(ctx, stream, request["AdjacentShardToMerge"])
    _open(ctx, stream, shard)
    _open(ctx, stream, adjacent)
    if shard.hash_end + 1 != adjacent.hash_start and adjacent.hash_end + 1 != shard.hash_start:
        raise invalid(f"Shards {shard.shard_id} and {adjacent.shard_id} in stream {stream.name} under account "
                      f"{ctx.scope.account} are not an adjacent pair of shards eligible for merging")
    now = ctx.clock.time()
    stream.close(shard, now)
    stream.close(adjacent, now)
    stream.add_shard(min(shard.hash_start, adjacent.hash_start), max(shard.hash_end, adjacent.hash_end), now,
                     parent=shard.shard_id, adjacent_parent=adjacent.shard_id)
    stream.reindex()


@ops.operation
def update_shard_count(ctx: KinesisContext, request: dict[str, Any]) -> dict[str, Any]:
    """UNIFORM_SCALING: every open shard closes and ``TargetShardCount`` shards with even ranges
    open; each child's parents are the (at most two) old shards its range starts and ends in.
    AWS allows between half and double the open count in one call."""
    stream = find_stream(ctx, request)
    _provisioned(ctx, stream, "UpdateShardCount")
    target = request["TargetShardCount"]
    current = stream.open_count
    if target > 2 * current:
        raise invalid(f"UpdateShardCount cannot scale up over double your current open shard count. Current open "
                      f"shard count: {current} Target shard count: {target}")
    if 2 * target < current:
        raise invalid(f"UpdateShardCount cannot scale down below half your current open shard count. Current open "
                      f"shard count: {current} Target shard count: {target}")
    if target > current:
            check_shard_quota(ctx, target - current)
    output = {"StreamName": stream.name, "StreamARN": stream.arn, "CurrentShardCount": current,
              "TargetShardCount": target}
    if target == current:
        return output
    now = ctx.clock.time()
    old = list(stream.open_shards)
    for shard in old:
        stream.close(shard, now)
    for start, end in uniform_ranges(target):
        first, last = stream.shard_for(start), stream.shard_for(end)
        stream.add_shard(start, end, now, parent=first.shard_id,
                         adjacent_parent=last.shard_id if last is not first else None)
    stream.reindex()
    return output
