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
from tests.lambda_.conftest import ROLE, code, create, message

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
    for age in (0, 59):
        with pytest.raises(ClientError) as exc:
            lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="reader", StartingPosition="LATEST",
                                            MaximumRecordAgeInSeconds=age)
        assert code(exc) == "InvalidParameterValueException"
        assert message(exc) == ("MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 "
                                "(inclusive)")
    moment = aws.emulator.clock.now()
    mapping = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="reader",
                                              StartingPosition="AT_TIMESTAMP", StartingPositionTimestamp=moment,
                                              Enabled=False)
    assert abs(mapping["StartingPositionTimestamp"].timestamp() - moment.timestamp()) < 1
    create(lam, "other", PRINTS)
    with pytest.raises(ClientError) as exc:  # a refused update changes nothing
        lam.update_event_source_mapping(UUID=mapping["UUID"], FunctionName="other", MaximumRetryAttempts=5,
                                        MaximumRecordAgeInSeconds=30)
    assert code(exc) == "InvalidParameterValueException"
    held = lam.get_event_source_mapping(UUID=mapping["UUID"])
    assert held["FunctionArn"].endswith(":reader") and held["MaximumRetryAttempts"] == -1
    updated = lam.update_event_source_mapping(UUID=mapping["UUID"], FunctionName="other", MaximumRecordAgeInSeconds=60)
    assert updated["FunctionArn"].endswith(":other") and updated["MaximumRecordAgeInSeconds"] == 60


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


FAILS_ON_BAD = '''
import base64

def handler(event, context):
    for record in event["Records"]:
        data = base64.b64decode(record["kinesis"]["data"]).decode()
        print("RECORD " + data)
        if data.startswith("bad"):
            raise ValueError("bad record")
'''


def _printed(aws: Harness, function: str) -> list[str]:
    try:
        events = aws.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{function}",
                                                      filterPattern="RECORD")["events"]
    except ClientError:
        return []
    return [e["message"][len("RECORD "):].strip() for e in events]


def _queue(aws: Harness, name: str) -> tuple[str, str]:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _sequences(aws: Harness, name: str = "clicks") -> dict[str, str]:
    """Every record's data -> its sequence number, read from the stream's one shard."""
    kinesis = aws.client("kinesis")
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return {r["Data"].decode(): r["SequenceNumber"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]}


def test_bisect_retries_then_kinesis_batch_info_to_the_on_failure_queue(aws: Harness) -> None:
    lam, sqs = aws.client("lambda"), aws.client("sqs")
    url, queue = _queue(aws, "kinesis-failures")
    stream = _stream(aws, shards=1)
    _put(aws, "ok-1", "ok-2", "bad-1", "ok-3")
    create(lam, "picky", FAILS_ON_BAD)
    mapping = lam.create_event_source_mapping(
        EventSourceArn=stream, FunctionName="picky", StartingPosition="TRIM_HORIZON", BatchSize=4,
        MaximumRetryAttempts=1, BisectBatchOnFunctionError=True,
        DestinationConfig={"OnFailure": {"Destination": queue}})
    assert (mapping["MaximumRetryAttempts"], mapping["BisectBatchOnFunctionError"]) == (1, True)
    assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": queue}}
    failures: list[dict[str, Any]] = []

    def settled() -> bool:
        failures.extend(json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url).get("Messages", []))
        return bool(failures) and "ok-3" in _printed(aws, "picky")

    _until(aws, settled)
    printed = _printed(aws, "picky")
    # The whole batch, its failing half, then the bad record alone twice (the try and one retry);
    # ok-1 and ok-2 succeed in the first half and are not handed again.
    assert printed.count("bad-1") == 4 and printed.count("ok-1") == 2
    assert [p for p in printed if p != "bad-1"][-1] == "ok-3"
    assert len(failures) == 1
    failure = failures[0]
    assert "DDBStreamBatchInfo" not in failure and failure["version"] == "1.0"
    bad = _sequences(aws)["bad-1"]
    assert failure["KinesisBatchInfo"] == {
        "shardId": "shardId-000000000000", "startSequenceNumber": bad, "endSequenceNumber": bad,
        "approximateArrivalOfFirstRecord": failure["KinesisBatchInfo"]["approximateArrivalOfFirstRecord"],
        "approximateArrivalOfLastRecord": failure["KinesisBatchInfo"]["approximateArrivalOfFirstRecord"],
        "batchSize": 1, "streamArn": stream}
    assert failure["KinesisBatchInfo"]["approximateArrivalOfFirstRecord"].endswith("Z")
    context = failure["requestContext"]
    assert context["condition"] == "RetryAttemptsExhausted" and context["approximateInvokeCount"] == 2
    assert context["functionArn"].endswith(":function:picky") and context["requestId"]
    assert failure["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST",
                                          "functionError": "Unhandled"}
    # The mapping moved past the failed record: the shard's position is its last record.
    _until(aws, lambda: aws.emulator.service("lambda").snapshot(aws.account, aws.region)
           .event_source_mappings[0].shard_positions.get("shardId-000000000000") == _sequences(aws)["ok-3"])


def test_without_bisect_the_whole_batch_is_retried_then_passed_over(aws: Harness) -> None:
    lam = aws.client("lambda")
    stream = _stream(aws, shards=1)
    _put(aws, "ok-1", "bad-1")
    create(lam, "picky", FAILS_ON_BAD)
    mapping = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="picky",
                                              StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=2)
    _until(aws, lambda: _printed(aws, "picky").count("bad-1") == 3)
    _put(aws, "ok-2")
    _until(aws, lambda: "ok-2" in _printed(aws, "picky"))
    # One try and two retries of the whole batch, then the next record.
    assert _printed(aws, "picky") == ["ok-1", "bad-1"] * 3 + ["ok-2"]
    _until(aws, lambda: lam.get_event_source_mapping(UUID=mapping["UUID"])["LastProcessingResult"] == "OK")


def test_records_older_than_the_maximum_age_go_to_an_sns_destination(aws: Harness) -> None:
    lam, sns, sqs = aws.client("lambda"), aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name="kinesis-expired")["TopicArn"]
    url, queue = _queue(aws, "expired")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"})
    stream = _stream(aws, shards=1)
    _put(aws, "old-1", "old-2")
    aws.emulator.clock.advance(120)
    _put(aws, "fresh")
    create(lam, "timely", FAILS_ON_BAD)
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="timely", StartingPosition="TRIM_HORIZON",
                                    MaximumRecordAgeInSeconds=60,
                                    DestinationConfig={"OnFailure": {"Destination": topic}})
    _until(aws, lambda: len(_printed(aws, "timely")) >= 1)
    assert _printed(aws, "timely") == ["fresh"]
    [message] = sqs.receive_message(QueueUrl=url).get("Messages", [])
    failure = json.loads(message["Body"])
    assert failure["requestContext"]["condition"] == "RecordAgeExceeded"
    assert failure["requestContext"]["approximateInvokeCount"] == 0 and failure["responseContext"] == {}
    info, sequences = failure["KinesisBatchInfo"], _sequences(aws)
    assert (info["batchSize"], info["startSequenceNumber"], info["endSequenceNumber"]) == (
        2, sequences["old-1"], sequences["old-2"])
    assert info["approximateArrivalOfFirstRecord"] <= info["approximateArrivalOfLastRecord"] < failure["timestamp"]


REPORTS_FLAKY = '''
import base64

def handler(event, context):
    failures = []
    for index, record in enumerate(event["Records"]):
        data = base64.b64decode(record["kinesis"]["data"]).decode()
        print("RECORD " + data)
        # "flaky" fails unless it leads its batch: the retry starting at it succeeds.
        if data == "flaky" and index > 0:
            failures.append({"itemIdentifier": record["kinesis"]["sequenceNumber"]})
    return {"batchItemFailures": failures}
'''


def test_report_batch_item_failures_checkpoints_before_the_failed_record(aws: Harness) -> None:
    lam = aws.client("lambda")
    stream = _stream(aws, shards=1)
    _put(aws, "a", "b", "flaky", "c")
    create(lam, "partial", REPORTS_FLAKY)
    mapping = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="partial", BatchSize=10,
                                              StartingPosition="TRIM_HORIZON",
                                              FunctionResponseTypes=["ReportBatchItemFailures"])
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    _until(aws, lambda: len(_printed(aws, "partial")) >= 6)
    # The records before the reported one are done; it and what follows come again.
    assert _printed(aws, "partial") == ["a", "b", "flaky", "c", "flaky", "c"]
    _until(aws, lambda: aws.emulator.service("lambda").snapshot(aws.account, aws.region)
           .event_source_mappings[0].shard_positions.get("shardId-000000000000") == _sequences(aws)["c"])


def test_without_report_batch_item_failures_a_returned_report_is_ignored(aws: Harness) -> None:
    lam = aws.client("lambda")
    stream = _stream(aws, shards=1)
    _put(aws, "a", "flaky", "b")
    create(lam, "partial", REPORTS_FLAKY)
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="partial", StartingPosition="TRIM_HORIZON")
    _until(aws, lambda: aws.emulator.service("lambda").snapshot(aws.account, aws.region)
           .event_source_mappings[0].shard_positions.get("shardId-000000000000") == _sequences(aws)["b"])
    assert _printed(aws, "partial") == ["a", "flaky", "b"]
