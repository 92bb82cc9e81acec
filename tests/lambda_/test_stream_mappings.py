"""DynamoDB Streams event source mappings: records reach the function in order in Lambda's
DynamoDB event format from TRIM_HORIZON or LATEST; failures are bisected, retried up to
MaximumRetryAttempts and then described to the on-failure destination."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.lambda_.conftest import code, create, message

PRINTS = '''
import json

def handler(event, context):
    for record in event["Records"]:
        print("RECORD " + json.dumps(record))
        if record["dynamodb"]["Keys"]["id"]["S"].startswith("bad"):
            raise ValueError("bad record")
'''


def _table(aws: Harness, name: str) -> str:
    ddb = aws.client("dynamodb")
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    return str(ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"])


def _put(aws: Harness, table: str, *ids: str) -> None:
    for key in ids:
        aws.client("dynamodb").put_item(TableName=table, Item={"id": {"S": key}, "n": {"N": "1"}})


def _until(aws: Harness, done: Callable[[], bool], timeout: int = 200) -> None:
    """Wait, batch by batch, until ``done()`` holds."""
    poller = aws.emulator.service("lambda").poller
    for _ in range(timeout):
        if done():
            return
        poller.wait_for_batches(poller.batches + 1, 0.1)
    assert done()


def _records(aws: Harness, function: str) -> list[dict[str, Any]]:
    try:
        events = aws.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{function}",
                                                      filterPattern="RECORD")["events"]
    except ClientError:
        return []
    return [json.loads(e["message"][len("RECORD "):]) for e in events]


def _ids(records: list[dict[str, Any]]) -> list[str]:
    return [r["dynamodb"]["Keys"]["id"]["S"] for r in records]


def test_records_from_trim_horizon_in_order(aws: Harness) -> None:
    lam, ddb = aws.client("lambda"), aws.client("dynamodb")
    stream = _table(aws, "orders")
    _put(aws, "orders", "a", "b", "c")
    create(lam, "reader", PRINTS)
    mapping = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="reader",
                                              StartingPosition="TRIM_HORIZON", BatchSize=2)
    assert mapping["StartingPosition"] == "TRIM_HORIZON" and mapping["BatchSize"] == 2
    assert mapping["MaximumRetryAttempts"] == -1 and mapping["BisectBatchOnFunctionError"] is False
    ddb.update_item(TableName="orders", Key={"id": {"S": "a"}}, UpdateExpression="SET n = :two",
                    ExpressionAttributeValues={":two": {"N": "2"}})
    ddb.delete_item(TableName="orders", Key={"id": {"S": "b"}})
    _until(aws, lambda: len(_records(aws, "reader")) == 5)
    records = _records(aws, "reader")
    assert [(r["eventName"], r["dynamodb"]["Keys"]["id"]["S"]) for r in records] == [
        ("INSERT", "a"), ("INSERT", "b"), ("INSERT", "c"), ("MODIFY", "a"), ("REMOVE", "b")]
    first, modify = records[0], records[3]
    assert first["eventSource"] == "aws:dynamodb" and first["eventSourceARN"] == stream
    assert first["eventVersion"] == "1.1" and first["awsRegion"] == aws.region
    assert isinstance(first["dynamodb"]["ApproximateCreationDateTime"], int)
    assert first["dynamodb"]["NewImage"] == {"id": {"S": "a"}, "n": {"N": "1"}}
    assert first["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert modify["dynamodb"]["OldImage"]["n"] == {"N": "1"} and modify["dynamodb"]["NewImage"]["n"] == {"N": "2"}
    sequences = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert sequences == sorted(sequences)
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["LastProcessingResult"] == "OK"
    # The view keeps the mapping's settings and the position it reached.
    [held] = aws.emulator.service("lambda").snapshot(aws.account, aws.region).event_source_mappings
    assert (held.starting_position, held.batch_size, held.position) == (
        "TRIM_HORIZON", 2, records[-1]["dynamodb"]["SequenceNumber"])


def test_latest_starts_after_the_newest_record(aws: Harness) -> None:
    lam = aws.client("lambda")
    stream = _table(aws, "events")
    _put(aws, "events", "before")
    create(lam, "tail", PRINTS)
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="tail", StartingPosition="LATEST")
    _put(aws, "events", "after")
    _until(aws, lambda: len(_records(aws, "tail")) >= 1)
    assert _ids(_records(aws, "tail")) == ["after"]


def test_bisect_retries_then_on_failure_destination(aws: Harness) -> None:
    lam, sqs = aws.client("lambda"), aws.client("sqs")
    url = sqs.create_queue(QueueName="stream-failures")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    stream = _table(aws, "mixed")
    _put(aws, "mixed", "ok-1", "ok-2", "bad-1", "ok-3")
    create(lam, "picky", PRINTS)
    mapping = lam.create_event_source_mapping(
        EventSourceArn=stream, FunctionName="picky", StartingPosition="TRIM_HORIZON", BatchSize=4,
        MaximumRetryAttempts=1, BisectBatchOnFunctionError=True,
        DestinationConfig={"OnFailure": {"Destination": queue}})
    assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": queue}}
    failures: list[dict[str, Any]] = []

    def settled() -> bool:
        failures.extend(json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url).get("Messages", []))
        return bool(failures) and "ok-3" in _ids(_records(aws, "picky"))

    _until(aws, settled)
    records = _records(aws, "picky")
    # The whole batch, its halves, then the bad record alone twice (the try and one retry).
    assert _ids(records).count("bad-1") == 4
    assert [i for i in _ids(records) if i != "bad-1"][-1] == "ok-3"
    assert len(failures) == 1
    info = failures[0]["DDBStreamBatchInfo"]
    bad = next(r for r in records if r["dynamodb"]["Keys"]["id"]["S"] == "bad-1")
    assert info["batchSize"] == 1 and info["streamArn"] == stream
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == bad["dynamodb"]["SequenceNumber"]
    assert info["shardId"] == aws.client("dynamodbstreams").describe_stream(StreamArn=stream)[
        "StreamDescription"]["Shards"][0]["ShardId"]
    context = failures[0]["requestContext"]
    assert context["condition"] == "RetryAttemptsExhausted" and context["approximateInvokeCount"] == 2
    assert failures[0]["responseContext"]["functionError"] == "Unhandled"


def test_stream_mapping_validation(aws: Harness) -> None:
    lam, sqs = aws.client("lambda"), aws.client("sqs")
    stream = _table(aws, "checked")
    create(lam, "fn", PRINTS)
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="fn")
    assert code(exc) == "InvalidParameterValueException" and "startingPosition" in message(exc)
    missing = stream.replace("table/checked", "table/nothing")
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(EventSourceArn=missing, FunctionName="fn", StartingPosition="LATEST")
    assert message(exc).startswith(f"Cannot access stream {missing}.")
    queue_url = sqs.create_queue(QueueName="q")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(EventSourceArn=queue, FunctionName="fn", StartingPosition="LATEST")
    assert message(exc) == "Unsupported StartingPosition parameter for given event source mapping type."
    first = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="fn", StartingPosition="LATEST",
                                            Enabled=False)
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="fn", StartingPosition="LATEST")
    assert code(exc) == "ResourceConflictException" and first["UUID"] in message(exc)
    updated = lam.update_event_source_mapping(UUID=first["UUID"], MaximumRetryAttempts=3,
                                              BisectBatchOnFunctionError=True)
    assert updated["MaximumRetryAttempts"] == 3 and updated["BisectBatchOnFunctionError"] is True


def test_records_older_than_the_maximum_age_are_skipped(aws: Harness) -> None:
    lam, sqs = aws.client("lambda"), aws.client("sqs")
    url = sqs.create_queue(QueueName="expired")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    stream = _table(aws, "ageing")
    _put(aws, "ageing", "old-1", "old-2")
    aws.emulator.clock.advance(120)
    _put(aws, "ageing", "fresh")
    create(lam, "timely", PRINTS)
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="timely", StartingPosition="TRIM_HORIZON",
                                    MaximumRecordAgeInSeconds=60,
                                    DestinationConfig={"OnFailure": {"Destination": queue}})
    _until(aws, lambda: len(_records(aws, "timely")) >= 1)
    assert _ids(_records(aws, "timely")) == ["fresh"]
    [message] = sqs.receive_message(QueueUrl=url).get("Messages", [])
    failure = json.loads(message["Body"])
    assert failure["requestContext"]["condition"] == "RecordAgeExceeded"
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 2
    assert failure["requestContext"]["functionArn"].endswith(":function:timely")


def test_filter_criteria_pass_only_matching_records(aws: Harness) -> None:
    lam = aws.client("lambda")
    stream = _table(aws, "filtered")
    create(lam, "inserts", PRINTS)
    pattern = json.dumps({"eventName": ["INSERT"], "dynamodb": {"Keys": {"id": {"S": [{"prefix": "keep"}]}}}})
    mapping = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="inserts",
                                              StartingPosition="TRIM_HORIZON", FilterCriteria={
                                                  "Filters": [{"Pattern": pattern}]})
    assert mapping["FilterCriteria"] == {"Filters": [{"Pattern": pattern}]}
    _put(aws, "filtered", "skip-1", "keep-1", "skip-2", "keep-2", "skip-3")
    aws.client("dynamodb").delete_item(TableName="filtered", Key={"id": {"S": "keep-1"}})
    _put(aws, "filtered", "keep-3")
    _until(aws, lambda: "keep-3" in _ids(_records(aws, "inserts")))
    assert _ids(_records(aws, "inserts")) == ["keep-1", "keep-2", "keep-3"]
    # The mapping moved past the records no filter matched.
    [held] = aws.emulator.service("lambda").snapshot(aws.account, aws.region).event_source_mappings
    assert held.filters == [pattern]
    lam.update_event_source_mapping(UUID=mapping["UUID"], FilterCriteria={"Filters": []})
    assert "FilterCriteria" not in lam.get_event_source_mapping(UUID=mapping["UUID"])


REPORTS_FLAKY = '''
import json

def handler(event, context):
    failures = []
    for index, record in enumerate(event["Records"]):
        key = record["dynamodb"]["Keys"]["id"]["S"]
        print("RECORD " + json.dumps(record))
        # "flaky" fails unless it leads its batch: the retry starting at it succeeds.
        if key == "flaky" and index > 0:
            failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
    return {"batchItemFailures": failures}
'''


def test_report_batch_item_failures_checkpoints_before_the_failed_record(aws: Harness) -> None:
    lam = aws.client("lambda")
    stream = _table(aws, "partial")
    _put(aws, "partial", "a", "b", "flaky", "c")
    create(lam, "partial", REPORTS_FLAKY)
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName="partial", StartingPosition="TRIM_HORIZON",
                                    FunctionResponseTypes=["ReportBatchItemFailures"])
    _until(aws, lambda: len(_records(aws, "partial")) >= 6)
    # The records before the reported one are done; it and what follows come again.
    assert _ids(_records(aws, "partial")) == ["a", "b", "flaky", "c", "flaky", "c"]
