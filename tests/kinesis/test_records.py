"""Records: placement by MD5 of the partition key or an explicit hash key, sequence numbers,
PutRecords' limits and per-record failures, iterators of every type with their expiry, and
GetRecords' paging, MillisBehindLatest and retention by the clock."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
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

HALF = 2**127


def _shard_for(partition_key: str) -> str:
    """Which of two even shards MD5 puts a key in (computed independently of hoarfrost)."""
    value = int(hashlib.md5(partition_key.encode()).hexdigest(), 16)
    return "shardId-000000000000" if value < HALF else "shardId-000000000001"


def test_partition_keys_hash_with_md5_and_explicit_keys_override(kinesis: Any) -> None:
    make_stream(kinesis, shards=2)
    for key in ("alpha", "beta", "gamma", "delta", "epsilon", "zeta"):
        out = kinesis.put_record(StreamName="events", Data=key.encode(), PartitionKey=key)
        assert out["ShardId"] == _shard_for(key), key
    out = kinesis.put_record(StreamName="events", Data=b"x", PartitionKey="alpha", ExplicitHashKey=str(HALF))
    assert out["ShardId"] == "shardId-000000000001"
    out = kinesis.put_record(StreamName="events", Data=b"x", PartitionKey="alpha", ExplicitHashKey="0")
    assert out["ShardId"] == "shardId-000000000000"
    with pytest.raises(ClientError) as exc:
        kinesis.put_record(StreamName="events", Data=b"x", PartitionKey="k", ExplicitHashKey=str(2**128))
    assert error_code(exc) == "InvalidArgumentException"
    assert "ExplicitHashKey must be in the range" in error_message(exc)


def test_sequence_numbers_have_56_digits_and_increase_per_shard(kinesis: Any) -> None:
    make_stream(kinesis, shards=2)
    sequences: dict[str, list[int]] = {}
    for i in range(20):
        out = kinesis.put_record(StreamName="events", Data=b"d", PartitionKey=f"k{i}")
        assert len(out["SequenceNumber"]) == 56
        sequences.setdefault(out["ShardId"], []).append(int(out["SequenceNumber"]))
    assert len(sequences) == 2
    for values in sequences.values():
        assert values == sorted(values) and len(set(values)) == len(values)
    records = read_shard(kinesis, "shardId-000000000000")
    assert [int(r["SequenceNumber"]) for r in records] == sequences["shardId-000000000000"]


def test_put_records_answers_in_order_and_checks_limits(kinesis: Any, aws: Harness) -> None:
    make_stream(kinesis, shards=2)
    entries = [{"Data": f"r{i}".encode(), "PartitionKey": f"p{i}"} for i in range(50)]
    out = kinesis.put_records(StreamName="events", Records=entries)
    assert out["FailedRecordCount"] == 0 and len(out["Records"]) == 50
    assert [r["ShardId"] for r in out["Records"]] == [_shard_for(f"p{i}") for i in range(50)]
    got = read_shard(kinesis, "shardId-000000000000") + read_shard(kinesis, "shardId-000000000001")
    assert sorted(r["Data"] for r in got) == sorted(f"r{i}".encode() for i in range(50))
    with pytest.raises(ClientError) as exc:
        kinesis.put_records(StreamName="events", Records=[{"Data": b"x", "PartitionKey": "p"}] * 501)
    assert error_code(exc) == "ValidationException"
    assert "Member must have length less than or equal to 500" in error_message(exc)
    mib = 1024 * 1024
    with pytest.raises(ClientError) as exc:  # 1 MiB of data plus the key is over the record limit
        kinesis.put_records(StreamName="events", Records=[{"Data": b"x" * mib, "PartitionKey": "p"}])
    assert error_code(exc) == "InvalidArgumentException"
    assert "maximum record size of 1024 KiB" in error_message(exc)
    with pytest.raises(ClientError) as exc:
        kinesis.put_records(StreamName="events", Records=[{"Data": b"x" * (mib - 10), "PartitionKey": "p"}] * 6)
    assert error_code(exc) == "InvalidArgumentException"
    assert error_message(exc) == "Records size exceeds 5 MB limit"
    with pytest.raises(ClientError) as exc:
        kinesis.put_record(StreamName="events", Data=b"x" * (mib + 1), PartitionKey="p")
    assert error_code(exc) == "ValidationException"
    assert error_message(exc).endswith(
        "at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576")
    with pytest.raises(ClientError) as exc:
        kinesis.put_records(StreamName="events", Records=[{"Data": b"x", "PartitionKey": "p"},
                                                          {"Data": b"x" * (mib + 1), "PartitionKey": "p"}])
    assert "at 'records.2.member.data'" in error_message(exc)
    # UpdateMaxRecordSize raises the limit (such a record passes alone in a second of its shard).
    aws.emulator.clock.advance(1)
    kinesis.update_max_record_size(StreamARN=kinesis.describe_stream_summary(StreamName="events")[
        "StreamDescriptionSummary"]["StreamARN"], MaxRecordSizeInKiB=2048)
    assert kinesis.put_record(StreamName="events", Data=b"x" * (mib + 1), PartitionKey="big")["SequenceNumber"]
    # Nothing from the refused requests was written: the 50 records and the big one.
    assert len(read_shard(kinesis, "shardId-000000000000") + read_shard(kinesis, "shardId-000000000001")) == 51


def test_iterator_types(kinesis: Any, aws: Harness) -> None:
    make_stream(kinesis)
    shard = "shardId-000000000000"
    first = [kinesis.put_record(StreamName="events", Data=f"a{i}".encode(), PartitionKey="k")["SequenceNumber"]
             for i in range(3)]
    latest = iterator(kinesis, shard, "LATEST")
    aws.emulator.clock.advance(60)
    moment = aws.emulator.clock.now()
    second = [kinesis.put_record(StreamName="events", Data=f"b{i}".encode(), PartitionKey="k")["SequenceNumber"]
              for i in range(3)]
    every = first + second

    def sequences(records: list[dict[str, Any]]) -> list[str]:
        return [r["SequenceNumber"] for r in records]

    assert sequences(read_shard(kinesis, shard)) == every
    assert sequences(kinesis.get_records(ShardIterator=latest)["Records"]) == second
    assert sequences(read_shard(kinesis, shard, kind="LATEST")) == []
    assert sequences(read_shard(kinesis, shard, kind="AT_SEQUENCE_NUMBER",
                                StartingSequenceNumber=first[1])) == every[1:]
    assert sequences(read_shard(kinesis, shard, kind="AFTER_SEQUENCE_NUMBER",
                                StartingSequenceNumber=first[1])) == every[2:]
    assert sequences(read_shard(kinesis, shard, kind="AT_TIMESTAMP", Timestamp=moment)) == second
    with pytest.raises(ClientError) as exc:
        iterator(kinesis, shard, "AT_TIMESTAMP", Timestamp=aws.emulator.clock.time() + 3600)
    assert error_code(exc) == "InvalidArgumentException"
    with pytest.raises(ClientError) as exc:
        iterator(kinesis, shard, "AT_SEQUENCE_NUMBER")
    assert error_code(exc) == "InvalidArgumentException"
    with pytest.raises(ClientError) as exc:
        iterator(kinesis, "shardId-000000000009")
    assert error_code(exc) == "ResourceNotFoundException"


def test_a_sequence_number_of_another_shard_is_refused(kinesis: Any) -> None:
    make_stream(kinesis, shards=2)
    out = kinesis.put_record(StreamName="events", Data=b"x", PartitionKey="k", ExplicitHashKey="0")
    with pytest.raises(ClientError) as exc:
        iterator(kinesis, "shardId-000000000001", "AT_SEQUENCE_NUMBER", StartingSequenceNumber=out["SequenceNumber"])
    assert error_code(exc) == "InvalidArgumentException"
    assert "It encodes shardId-000000000000" in error_message(exc)


def test_iterators_expire_after_five_minutes_of_the_clock(kinesis: Any, aws: Harness) -> None:
    make_stream(kinesis)
    kinesis.put_record(StreamName="events", Data=b"x", PartitionKey="k")
    fresh = iterator(kinesis, "shardId-000000000000")
    aws.emulator.clock.advance(295)  # leaves the test 5 s of real time
    page = kinesis.get_records(ShardIterator=fresh)
    assert len(page["Records"]) == 1
    aws.emulator.clock.advance(6)
    with pytest.raises(ClientError) as exc:
        kinesis.get_records(ShardIterator=fresh)
    assert error_code(exc) == "ExpiredIteratorException"
    # The iterator GetRecords answered is new: it is good for five more minutes.
    assert kinesis.get_records(ShardIterator=page["NextShardIterator"])["Records"] == []
    with pytest.raises(ClientError) as exc:
        kinesis.get_records(ShardIterator="not-an-iterator")
    assert error_code(exc) == "InvalidArgumentException"


def test_get_records_limit_next_iterator_and_millis_behind(kinesis: Any, aws: Harness) -> None:
    make_stream(kinesis)
    for i in range(5):
        kinesis.put_record(StreamName="events", Data=f"{i}".encode(), PartitionKey="k")
    aws.emulator.clock.advance(10)
    page = kinesis.get_records(ShardIterator=iterator(kinesis, "shardId-000000000000"), Limit=2)
    assert [r["Data"] for r in page["Records"]] == [b"0", b"1"]
    assert page["MillisBehindLatest"] >= 10_000
    assert page["Records"][0]["PartitionKey"] == "k"
    arrival = page["Records"][0]["ApproximateArrivalTimestamp"]
    assert abs(arrival.timestamp() - (aws.emulator.clock.time() - 10)) < 2
    rest = kinesis.get_records(ShardIterator=page["NextShardIterator"], Limit=10)
    assert [r["Data"] for r in rest["Records"]] == [b"2", b"3", b"4"]
    assert rest["MillisBehindLatest"] == 0
    empty = kinesis.get_records(ShardIterator=rest["NextShardIterator"])
    assert empty["Records"] == [] and empty["NextShardIterator"]


def test_records_older_than_retention_are_not_returned(kinesis: Any, aws: Harness) -> None:
    make_stream(kinesis, "short")
    make_stream(kinesis, "long")
    kinesis.increase_stream_retention_period(StreamName="long", RetentionPeriodHours=48)
    for name in ("short", "long"):
        kinesis.put_record(StreamName=name, Data=b"old", PartitionKey="k")
    aws.emulator.clock.advance(23 * 3600)
    for name in ("short", "long"):
        kinesis.put_record(StreamName=name, Data=b"new", PartitionKey="k")
    held = iterator(kinesis, "shardId-000000000000", name="short")
    aws.emulator.clock.advance(2 * 3600)
    assert [r["Data"] for r in read_shard(kinesis, "shardId-000000000000", "short")] == [b"new"]
    assert [r["Data"] for r in read_shard(kinesis, "shardId-000000000000", "long")] == [b"old", b"new"]
    with pytest.raises(ClientError) as exc:  # taken two hours ago: expired anyway
        kinesis.get_records(ShardIterator=held)
    assert error_code(exc) == "ExpiredIteratorException"
    kinesis.decrease_stream_retention_period(StreamName="long", RetentionPeriodHours=24)
    assert [r["Data"] for r in read_shard(kinesis, "shardId-000000000000", "long")] == [b"new"]


def _in_one_second(aws: Harness, scenario: Callable[[int], Any]) -> Any:
    """Run ``scenario(attempt)`` from the start of a second of the clock; its answers count only
    if it ended within that second (the clock runs on in real time), so a slow machine retries."""
    for attempt in range(5):
        aws.emulator.clock.advance(1 - aws.emulator.clock.time() % 1 + 0.001)
        second = int(aws.emulator.clock.time())
        outcome = scenario(attempt)
        if int(aws.emulator.clock.time()) == second:
            return outcome
    raise AssertionError("no attempt fitted in one second of the clock")


def _put_code(kinesis: Any, **kwargs: Any) -> str:
    try:
        kinesis.put_record(**kwargs)
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return "OK"


def test_a_provisioned_shard_takes_1000_records_and_1_mib_a_second(kinesis: Any, aws: Harness) -> None:
    batch = [{"Data": b"r", "PartitionKey": "k"}] * 500

    def records(attempt: int) -> tuple[str, list[dict[str, Any]], str]:
        name = f"count{attempt}"
        make_stream(kinesis, name)
        kinesis.put_records(StreamName=name, Records=batch)
        kinesis.put_records(StreamName=name, Records=batch[:498])
        out = kinesis.put_records(StreamName=name, Records=[{"Data": b"s", "PartitionKey": "k"}] * 4)
        return name, out["Records"], _put_code(kinesis, StreamName=name, Data=b"x", PartitionKey="k")

    name, results, single = _in_one_second(aws, records)
    assert ["ErrorCode" in r for r in results] == [False, False, True, True]
    assert results[2]["ErrorCode"] == "ProvisionedThroughputExceededException"
    assert results[2]["ErrorMessage"] == (
        f"Rate exceeded for shard shardId-000000000000 in stream {name} under account {aws.account}.")
    assert single == "ProvisionedThroughputExceededException"
    assert len(read_shard(kinesis, "shardId-000000000000", name)) == 1000
    aws.emulator.clock.advance(1)
    assert kinesis.put_records(StreamName=name, Records=batch)["FailedRecordCount"] == 0

    big = b"b" * (600 * 1024)

    def size(attempt: int) -> tuple[str, str]:
        name = f"bytes{attempt}"
        make_stream(kinesis, name)
        return (_put_code(kinesis, StreamName=name, Data=big, PartitionKey="k"),
                _put_code(kinesis, StreamName=name, Data=big, PartitionKey="k"))

    assert _in_one_second(aws, size) == ("OK", "ProvisionedThroughputExceededException")
    # An on-demand stream is not throttled.
    kinesis.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    for _ in range(3):
        assert kinesis.put_records(StreamName="od", Records=batch)["FailedRecordCount"] == 0
