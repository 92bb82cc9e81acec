"""Kinesis event source mappings: records of every shard reach the function in Lambda's Kinesis
event format, in order per shard, from TRIM_HORIZON or LATEST; children after their parents
once a shard was split; the position per shard is kept in the mapping."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.lambda_.conftest import ROLE, code, create

PRINTS = '''
import json

def handler(event, context):
    for record in event["Records"]:
        print("RECORD " + json.dumps(record))
'''


def _stream(aws: Harness, name: str = "clicks", shards: int = 2) -> str:
    kinesis = aws.client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    return str(kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"])


def _put(aws: Harness, *values: str, name: str = "clicks") -> None:
    aws.client("kinesis").put_records(StreamName=name, Records=[
        {"Data": value.encode(), "PartitionKey": value} for value in values])


def _records(aws: Harness, function: str) -> list[dict[str, Any]]:
    try:
        events = aws.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{function}",
                                                      filterPattern="RECORD")["events"]
    except ClientError:
        return []
    return [json.loads(e["message"][len("RECORD "):]) for e in events]


def _until(aws: Harness, done: Callable[[], bool], timeout: int = 200) -> None:
    poller = aws.emulator.service("lambda").poller
    for _ in range(timeout):
        if done():
            return
        poller.wait_for_batches(poller.batches + 1, 0.1)
    assert done()


def _data(records: list[dict[str, Any]]) -> list[str]:
    return [base64.b64decode(r["kinesis"]["data"]).decode() for r in records]


def test_every_shard_is_read_in_kinesis_event_format(aws: Harness) -> None:
    lam = aws.client("lambda")
    stream = _stream(aws)
    _put(aws, *[f"v{i}" for i in range(8)])
    create(lam, "reader", PRINTS)
    mapping = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="reader",
                                              StartingPosition="TRIM_HORIZON", BatchSize=3)
    assert mapping["StartingPosition"] == "TRIM_HORIZON" and mapping["BatchSize"] == 3
    _until(aws, lambda: len(_records(aws, "reader")) == 8)
    records = _records(aws, "reader")
    assert sorted(_data(records)) == [f"v{i}" for i in range(8)]
    first = records[0]
    assert first["eventSource"] == "aws:kinesis" and first["eventName"] == "aws:kinesis:record"
    assert first["eventSourceARN"] == stream and first["invokeIdentityArn"] == ROLE
    assert first["eventID"] == first["eventID"].split(":")[0] + ":" + first["kinesis"]["sequenceNumber"]
    assert isinstance(first["kinesis"]["approximateArrivalTimestamp"], float)
    by_shard: dict[str, list[int]] = {}
    for record in records:
        by_shard.setdefault(record["eventID"].split(":")[0], []).append(int(record["kinesis"]["sequenceNumber"]))
    assert all(values == sorted(values) for values in by_shard.values())
    _until(aws, lambda: lam.get_event_source_mapping(UUID=mapping["UUID"])["LastProcessingResult"] == "OK")
    [held] = aws.emulator.service("lambda").snapshot(aws.account, aws.region).event_source_mappings
    assert held.shard_positions == {shard: str(max(values)) for shard, values in by_shard.items()}


def test_latest_skips_what_was_there_and_children_follow_their_parent(aws: Harness) -> None:
    lam = aws.client("lambda")
    stream = _stream(aws, shards=1)
    _put(aws, "old")
    aws.emulator.clock.advance(1)
    create(lam, "reader", PRINTS)
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="reader", StartingPosition="LATEST")
    aws.emulator.clock.advance(1)
    _put(aws, "new1", "new2")
    _until(aws, lambda: len(_records(aws, "reader")) == 2)
    aws.client("kinesis").split_shard(StreamName="clicks", ShardToSplit="shardId-000000000000",
                                      NewStartingHashKey=str(2**127))
    _put(aws, *[f"child{i}" for i in range(6)])
    _until(aws, lambda: len(_records(aws, "reader")) == 8)
    data = _data(_records(aws, "reader"))
    assert data[:2] == ["new1", "new2"] and sorted(data[2:]) == [f"child{i}" for i in range(6)]
    assert "old" not in data


def test_kinesis_mapping_validation(aws: Harness) -> None:
    lam = aws.client("lambda")
    stream = _stream(aws)
    create(lam, "reader", PRINTS)
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(EventSourceArn=stream + "-missing", FunctionName="reader",
                                        StartingPosition="LATEST")
    assert code(exc) == "InvalidParameterValueException"
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="reader", StartingPosition="AT_TIMESTAMP")
    assert code(exc) == "InvalidParameterValueException"
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="reader")
    assert code(exc) == "InvalidParameterValueException"
    moment = aws.emulator.clock.now()
    mapping = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="reader",
                                              StartingPosition="AT_TIMESTAMP", StartingPositionTimestamp=moment,
                                              Enabled=False)
    assert abs(mapping["StartingPositionTimestamp"].timestamp() - moment.timestamp()) < 1


def test_filter_criteria_match_the_decoded_json_data(aws: Harness) -> None:
    lam = aws.client("lambda")
    stream = _stream(aws, shards=1)
    create(lam, "reader", PRINTS)
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="reader", StartingPosition="TRIM_HORIZON",
                                    FilterCriteria={"Filters": [{"Pattern": json.dumps({"data": {"kind": ["keep"]}})}]})
    _put(aws, json.dumps({"kind": "skip", "n": 1}), json.dumps({"kind": "keep", "n": 2}), "not json")
    _put(aws, json.dumps({"kind": "keep", "n": 3}))
    _until(aws, lambda: len(_records(aws, "reader")) == 2)
    assert [json.loads(d)["n"] for d in _data(_records(aws, "reader"))] == [2, 3]
