"""Streams: creation in both capacity modes with AWS's shard layout, addressing by name or ARN,
listing with paging, deletion, retention, monitoring, stream mode and limits."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.kinesis.conftest import error_code, error_message, make_stream

MAX = 2**128 - 1


def test_provisioned_stream_splits_the_hash_space_evenly_as_aws(kinesis: Any, aws: Harness) -> None:
    arn = make_stream(kinesis, "orders", 3)
    assert arn == f"arn:aws:kinesis:us-east-1:{aws.account}:stream/orders"
    kinesis.get_waiter("stream_exists").wait(StreamName="orders", WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    description = kinesis.describe_stream(StreamName="orders")["StreamDescription"]
    assert description["StreamStatus"] == "ACTIVE"
    assert description["RetentionPeriodHours"] == 24
    assert description["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert description["EncryptionType"] == "NONE"
    assert description["HasMoreShards"] is False
    ranges = [(s["ShardId"], s["HashKeyRange"]["StartingHashKey"], s["HashKeyRange"]["EndingHashKey"])
              for s in description["Shards"]]
    # AWS's layout for three shards.
    assert ranges == [
        ("shardId-000000000000", "0", "113427455640312821154458202477256070484"),
        ("shardId-000000000001", "113427455640312821154458202477256070485", "226854911280625642308916404954512140969"),
        ("shardId-000000000002", "226854911280625642308916404954512140970", str(MAX)),
    ]
    for shard in description["Shards"]:
        assert len(shard["SequenceNumberRange"]["StartingSequenceNumber"]) == 56
        assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]


def test_on_demand_stream_starts_with_four_shards(kinesis: Any) -> None:
    kinesis.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.describe_stream_summary(StreamName="od")["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert summary["OpenShardCount"] == 4
    assert summary["ConsumerCount"] == 0
    limits = kinesis.describe_limits()
    assert limits["OnDemandStreamCount"] == 1 and limits["OpenShardCount"] == 4
    assert limits["ShardLimit"] == 500 and limits["OnDemandStreamCountLimit"] == 50
    with pytest.raises(ClientError) as exc:
        kinesis.update_shard_count(StreamName="od", TargetShardCount=8, ScalingType="UNIFORM_SCALING")
    assert error_code(exc) == "ValidationException"


def test_create_refuses_duplicates_missing_counts_and_the_shard_quota(kinesis: Any, aws: Harness) -> None:
    make_stream(kinesis, "dup")
    with pytest.raises(ClientError) as exc:
        kinesis.create_stream(StreamName="dup", ShardCount=1)
    assert error_code(exc) == "ResourceInUseException"
    assert error_message(exc) == f"Stream dup under account {aws.account} already exists."
    with pytest.raises(ClientError) as exc:
        kinesis.create_stream(StreamName="nocount")
    assert error_code(exc) == "ValidationException"
    with pytest.raises(ClientError) as exc:
        kinesis.create_stream(StreamName="huge", ShardCount=500)
    assert error_code(exc) == "LimitExceededException"
    assert "Current shard count for the account: 1. Limit: 500." in error_message(exc)
    with pytest.raises(ClientError) as exc:
        kinesis.create_stream(StreamName="bad name!", ShardCount=1)
    assert error_code(exc) == "ValidationException"


def test_a_stream_is_named_by_name_or_arn(kinesis: Any, aws: Harness) -> None:
    arn = make_stream(kinesis, "named")
    by_arn = kinesis.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"]
    assert by_arn["StreamName"] == "named"
    with pytest.raises(ClientError) as exc:
        kinesis.describe_stream_summary()
    assert error_code(exc) == "ValidationException"
    with pytest.raises(ClientError) as exc:
        kinesis.describe_stream_summary(StreamName="other", StreamARN=arn)
    assert error_code(exc) == "ValidationException"
    with pytest.raises(ClientError) as exc:
        kinesis.describe_stream(StreamName="missing")
    assert error_code(exc) == "ResourceNotFoundException"
    assert error_message(exc) == f"Stream missing under account {aws.account} not found."


def test_list_streams_pages_with_next_token_and_exclusive_start(kinesis: Any) -> None:
    for name in ("c", "a", "e", "b", "d"):
        kinesis.create_stream(StreamName=name, ShardCount=1)
    first = kinesis.list_streams(Limit=2)
    assert first["StreamNames"] == ["a", "b"] and first["HasMoreStreams"] is True
    assert [s["StreamName"] for s in first["StreamSummaries"]] == ["a", "b"]
    assert first["StreamSummaries"][0]["StreamStatus"] == "ACTIVE"
    kinesis.delete_stream(StreamName="c")  # a removed name does not shift the next page
    second = kinesis.list_streams(NextToken=first["NextToken"], Limit=2)
    assert second["StreamNames"] == ["d", "e"] and second["HasMoreStreams"] is False
    assert "NextToken" not in second
    assert kinesis.list_streams(ExclusiveStartStreamName="b")["StreamNames"] == ["d", "e"]
    paginated = [n for page in kinesis.get_paginator("list_streams").paginate(PaginationConfig={"PageSize": 1})
                 for n in page["StreamNames"]]
    assert paginated == ["a", "b", "d", "e"]
    with pytest.raises(ClientError) as exc:
        kinesis.list_streams(NextToken="garbage")
    assert error_code(exc) == "InvalidArgumentException"


def test_delete_needs_enforce_consumer_deletion_when_consumers_exist(kinesis: Any) -> None:
    arn = make_stream(kinesis, "fan")
    kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="reader")
    with pytest.raises(ClientError) as exc:
        kinesis.delete_stream(StreamName="fan")
    assert error_code(exc) == "ResourceInUseException"
    kinesis.delete_stream(StreamARN=arn, EnforceConsumerDeletion=True)
    assert kinesis.list_streams()["StreamNames"] == []
    kinesis.get_waiter("stream_not_exists").wait(StreamName="fan", WaiterConfig={"Delay": 0, "MaxAttempts": 1})


def test_retention_period_bounds_and_direction(kinesis: Any) -> None:
    make_stream(kinesis, "keep")
    kinesis.increase_stream_retention_period(StreamName="keep", RetentionPeriodHours=48)
    assert kinesis.describe_stream_summary(StreamName="keep")["StreamDescriptionSummary"]["RetentionPeriodHours"] == 48
    with pytest.raises(ClientError) as exc:
        kinesis.increase_stream_retention_period(StreamName="keep", RetentionPeriodHours=30)
    assert error_code(exc) == "InvalidArgumentException"
    assert "can not be shorter than existing retention period (48 hours)" in error_message(exc)
    with pytest.raises(ClientError) as exc:
        kinesis.increase_stream_retention_period(StreamName="keep", RetentionPeriodHours=9000)
    assert error_code(exc) == "InvalidArgumentException"
    with pytest.raises(ClientError) as exc:
        kinesis.decrease_stream_retention_period(StreamName="keep", RetentionPeriodHours=72)
    assert error_code(exc) == "InvalidArgumentException"
    with pytest.raises(ClientError) as exc:
        kinesis.decrease_stream_retention_period(StreamName="keep", RetentionPeriodHours=12)
    assert error_code(exc) in ("InvalidArgumentException", "ValidationException")
    kinesis.decrease_stream_retention_period(StreamName="keep", RetentionPeriodHours=24)
    assert kinesis.describe_stream(StreamName="keep")["StreamDescription"]["RetentionPeriodHours"] == 24


def test_enhanced_monitoring_and_stream_mode(kinesis: Any) -> None:
    arn = make_stream(kinesis, "mon", 2)
    out = kinesis.enable_enhanced_monitoring(StreamName="mon", ShardLevelMetrics=["IncomingBytes"])
    assert out["CurrentShardLevelMetrics"] == [] and out["DesiredShardLevelMetrics"] == ["IncomingBytes"]
    out = kinesis.enable_enhanced_monitoring(StreamName="mon", ShardLevelMetrics=["ALL"])
    assert len(out["DesiredShardLevelMetrics"]) == 7
    out = kinesis.disable_enhanced_monitoring(StreamName="mon", ShardLevelMetrics=["IncomingBytes", "OutgoingBytes"])
    assert "IncomingBytes" not in out["DesiredShardLevelMetrics"] and len(out["DesiredShardLevelMetrics"]) == 5
    described = kinesis.describe_stream(StreamName="mon")["StreamDescription"]["EnhancedMonitoring"]
    assert described == [{"ShardLevelMetrics": out["DesiredShardLevelMetrics"]}]
    kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"]["StreamMode"] == "ON_DEMAND" and summary["OpenShardCount"] == 2
    with pytest.raises(ClientError) as exc:
        kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    assert error_code(exc) == "ResourceInUseException"


def test_describe_stream_pages_shards(kinesis: Any) -> None:
    make_stream(kinesis, "many", 5)
    page = kinesis.describe_stream(StreamName="many", Limit=2)["StreamDescription"]
    assert [s["ShardId"] for s in page["Shards"]] == ["shardId-000000000000", "shardId-000000000001"]
    assert page["HasMoreShards"] is True
    rest = kinesis.describe_stream(StreamName="many", ExclusiveStartShardId="shardId-000000000001")
    assert len(rest["StreamDescription"]["Shards"]) == 3 and rest["StreamDescription"]["HasMoreShards"] is False
