"""Resharding and ListShards: records read back from every shard after a split, merges,
UpdateShardCount's uniform ranges, closed shards' ends and children, and every shard filter."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.kinesis.conftest import (
    error_code,
    error_message,
    iterator,
    make_stream,
    read_shard,
)

MAX = 2**128 - 1
S0, S1, S2, S3, S4 = (f"shardId-{i:012d}" for i in range(5))


def _put(kinesis: Any, tag: str, count: int) -> dict[str, list[bytes]]:
    """Put ``count`` records with varied keys; answer the data each shard got."""
    placed: dict[str, list[bytes]] = {}
    out = kinesis.put_records(StreamName="events", Records=[
        {"Data": f"{tag}{i}".encode(), "PartitionKey": f"key-{tag}-{i}"} for i in range(count)])
    for i, record in enumerate(out["Records"]):
        placed.setdefault(record["ShardId"], []).append(f"{tag}{i}".encode())
    return placed


def test_records_are_read_back_from_every_shard_after_a_split(kinesis: Any) -> None:
    make_stream(kinesis, shards=1)
    before = _put(kinesis, "a", 20)
    assert set(before) == {S0}
    kinesis.split_shard(StreamName="events", ShardToSplit=S0, NewStartingHashKey=str(2**127))
    after = _put(kinesis, "b", 40)
    assert set(after) == {S1, S2}
    shards = {s["ShardId"]: s for s in kinesis.list_shards(StreamName="events")["Shards"]}
    assert set(shards) == {S0, S1, S2}
    parent = shards[S0]
    assert "EndingSequenceNumber" in parent["SequenceNumberRange"]
    assert shards[S1]["ParentShardId"] == S0 and shards[S2]["ParentShardId"] == S0
    assert shards[S1]["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(2**127 - 1)}
    assert shards[S2]["HashKeyRange"] == {"StartingHashKey": str(2**127), "EndingHashKey": str(MAX)}
    for shard_id, expected in [(S0, before[S0]), (S1, after[S1]), (S2, after[S2])]:
        assert [r["Data"] for r in read_shard(kinesis, shard_id)] == expected
    ending = int(parent["SequenceNumberRange"]["EndingSequenceNumber"])
    assert all(int(r["SequenceNumber"]) <= ending for r in read_shard(kinesis, S0))
    assert all(int(r["SequenceNumber"]) > ending for r in read_shard(kinesis, S1) + read_shard(kinesis, S2))


def test_a_closed_shard_ends_with_its_children_and_no_next_iterator(kinesis: Any) -> None:
    make_stream(kinesis, shards=1)
    _put(kinesis, "a", 3)
    kinesis.split_shard(StreamName="events", ShardToSplit=S0, NewStartingHashKey=str(2**127))
    page = kinesis.get_records(ShardIterator=iterator(kinesis, S0), Limit=2)
    assert len(page["Records"]) == 2 and page["NextShardIterator"]
    last = kinesis.get_records(ShardIterator=page["NextShardIterator"])
    assert len(last["Records"]) == 1
    assert "NextShardIterator" not in last
    assert sorted(c["ShardId"] for c in last["ChildShards"]) == [S1, S2]
    assert all(c["ParentShards"] == [S0] for c in last["ChildShards"])
    latest = kinesis.get_records(ShardIterator=iterator(kinesis, S0, "LATEST"))
    assert latest["Records"] == [] and "NextShardIterator" not in latest


def test_split_and_merge_refusals(kinesis: Any, aws: Harness) -> None:
    make_stream(kinesis, shards=2)
    with pytest.raises(ClientError) as exc:
        kinesis.split_shard(StreamName="events", ShardToSplit=S0, NewStartingHashKey="0")
    assert error_code(exc) == "InvalidArgumentException"
    assert "is not both greater than one plus the shard's StartingHashKey" in error_message(exc)
    with pytest.raises(ClientError) as exc:
        kinesis.split_shard(StreamName="events", ShardToSplit="shardId-000000000042", NewStartingHashKey="100")
    assert error_code(exc) == "ResourceNotFoundException"
    kinesis.split_shard(StreamName="events", ShardToSplit=S0, NewStartingHashKey=str(2**126))
    with pytest.raises(ClientError) as exc:
        kinesis.split_shard(StreamName="events", ShardToSplit=S0, NewStartingHashKey=str(2**125))
    assert error_code(exc) == "ResourceInUseException"
    with pytest.raises(ClientError) as exc:  # shardId-2 (0..2^126-1) and shardId-1 (2^127..) are not adjacent
        kinesis.merge_shards(StreamName="events", ShardToMerge=S2, AdjacentShardToMerge=S1)
    assert error_code(exc) == "InvalidArgumentException"


def test_merge_makes_one_child_with_both_parents(kinesis: Any) -> None:
    make_stream(kinesis, shards=2)
    before = _put(kinesis, "a", 30)
    kinesis.merge_shards(StreamName="events", ShardToMerge=S1, AdjacentShardToMerge=S0)
    shards = {s["ShardId"]: s for s in kinesis.list_shards(StreamName="events")["Shards"]}
    child = shards[S2]
    assert child["ParentShardId"] == S1 and child["AdjacentParentShardId"] == S0
    assert child["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(MAX)}
    after = _put(kinesis, "b", 10)
    assert set(after) == {S2}
    assert [r["Data"] for r in read_shard(kinesis, S0)] == before[S0]
    assert [r["Data"] for r in read_shard(kinesis, S1)] == before[S1]
    assert [r["Data"] for r in read_shard(kinesis, S2)] == after[S2]


def test_update_shard_count_scales_uniformly(kinesis: Any) -> None:
    make_stream(kinesis, shards=2)
    out = kinesis.update_shard_count(StreamName="events", TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    assert out["CurrentShardCount"] == 2 and out["TargetShardCount"] == 4
    open_shards = kinesis.list_shards(StreamName="events", ShardFilter={"Type": "AT_LATEST"})["Shards"]
    assert [s["HashKeyRange"]["StartingHashKey"] for s in open_shards] == [str(i * 2**126) for i in range(4)]
    assert [s["ParentShardId"] for s in open_shards] == [S0, S0, S1, S1]
    with pytest.raises(ClientError) as exc:
        kinesis.update_shard_count(StreamName="events", TargetShardCount=9, ScalingType="UNIFORM_SCALING")
    assert error_code(exc) == "InvalidArgumentException"
    with pytest.raises(ClientError) as exc:
        kinesis.update_shard_count(StreamName="events", TargetShardCount=1, ScalingType="UNIFORM_SCALING")
    assert error_code(exc) == "InvalidArgumentException"
    kinesis.update_shard_count(StreamName="events", TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    open_shards = kinesis.list_shards(StreamName="events", ShardFilter={"Type": "AT_LATEST"})["Shards"]
    assert len(open_shards) == 3
    assert open_shards[1]["ParentShardId"] == "shardId-000000000003"
    assert open_shards[1]["AdjacentParentShardId"] == "shardId-000000000004"
    placed = _put(kinesis, "c", 30)
    assert set(placed) <= {s["ShardId"] for s in open_shards}
    assert kinesis.describe_stream_summary(StreamName="events")["StreamDescriptionSummary"]["OpenShardCount"] == 3


def test_list_shards_filters(kinesis: Any, aws: Harness) -> None:
    make_stream(kinesis, shards=2)
    created = aws.emulator.clock.time()
    aws.emulator.clock.advance(3600)
    kinesis.split_shard(StreamName="events", ShardToSplit=S0, NewStartingHashKey=str(2**126))
    split_at = aws.emulator.clock.time()
    aws.emulator.clock.advance(3600)

    def ids(**kwargs: Any) -> list[str]:
        return [s["ShardId"] for s in kinesis.list_shards(StreamName="events", **kwargs)["Shards"]]

    assert ids() == [S0, S1, S2, S3]
    assert ids(ShardFilter={"Type": "AT_LATEST"}) == [S1, S2, S3]
    assert ids(ShardFilter={"Type": "AT_TRIM_HORIZON"}) == [S0, S1]
    assert ids(ShardFilter={"Type": "FROM_TRIM_HORIZON"}) == [S0, S1, S2, S3]
    assert ids(ShardFilter={"Type": "AFTER_SHARD_ID", "ShardId": S1}) == [S2, S3]
    assert ids(ExclusiveStartShardId=S0) == [S1, S2, S3]
    assert ids(ShardFilter={"Type": "AT_TIMESTAMP", "Timestamp": created + 60}) == [S0, S1]
    assert ids(ShardFilter={"Type": "AT_TIMESTAMP", "Timestamp": split_at + 60}) == [S1, S2, S3]
    assert ids(ShardFilter={"Type": "FROM_TIMESTAMP", "Timestamp": created + 60}) == [S0, S1, S2, S3]
    with pytest.raises(ClientError) as exc:
        ids(ShardFilter={"Type": "AT_TIMESTAMP"})
    assert error_code(exc) == "InvalidArgumentException"
    with pytest.raises(ClientError) as exc:
        ids(ShardFilter={"Type": "AFTER_SHARD_ID"})
    assert error_code(exc) == "InvalidArgumentException"
    # The trim horizon passes the split: the closed parent is no longer open at it.
    aws.emulator.clock.advance(23 * 3600)
    assert ids(ShardFilter={"Type": "AT_TRIM_HORIZON"}) == [S1, S2, S3]


def test_list_shards_pages_with_next_token(kinesis: Any) -> None:
    make_stream(kinesis, shards=5)
    first = kinesis.list_shards(StreamName="events", MaxResults=2)
    assert [s["ShardId"] for s in first["Shards"]] == [S0, S1]
    with pytest.raises(ClientError) as exc:
        kinesis.list_shards(StreamName="events", NextToken=first["NextToken"])
    assert error_code(exc) == "InvalidArgumentException"
    second = kinesis.list_shards(NextToken=first["NextToken"], MaxResults=2)
    assert [s["ShardId"] for s in second["Shards"]] == [S2, S3]
    third = kinesis.list_shards(NextToken=second["NextToken"], MaxResults=2)
    assert [s["ShardId"] for s in third["Shards"]] == [S4] and "NextToken" not in third
    with pytest.raises(ClientError) as exc:
        kinesis.list_shards(NextToken="forged")
    assert error_code(exc) == "ExpiredNextTokenException"


def test_a_closed_shard_is_forgotten_once_its_records_age_out(kinesis: Any, aws: Harness) -> None:
    make_stream(kinesis, shards=1)
    _put(kinesis, "a", 3)
    kinesis.split_shard(StreamName="events", ShardToSplit=S0, NewStartingHashKey=str(2**127))
    aws.emulator.clock.advance(23 * 3600)
    assert S0 in [s["ShardId"] for s in kinesis.list_shards(StreamName="events")["Shards"]]
    aws.emulator.clock.advance(2 * 3600)
    assert [s["ShardId"] for s in kinesis.list_shards(StreamName="events")["Shards"]] == [S1, S2]
