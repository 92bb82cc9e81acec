"""DynamoDB Streams: records for every change with the view type asked for, in sequence order,
read through the dynamodbstreams service; iterators; 24-hour retention on the emulator clock."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.dynamodb.conftest import error, make_table
from tests.harness import Harness

KEY = {"pk": {"S": "a"}, "sk": {"S": "1"}}


def read_all(streams: Any, arn: str, kind: str = "TRIM_HORIZON", **extra: Any) -> tuple[list[dict[str, Any]], str]:
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind,
                                          **extra)["ShardIterator"]
    page = streams.get_records(ShardIterator=iterator)
    return page["Records"], page["NextShardIterator"]


@pytest.mark.parametrize("view_type", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])
def test_records_for_each_change(aws: Harness, ddb: Any, view_type: str) -> None:
    described = make_table(ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type})
    arn = described["LatestStreamArn"]
    assert arn.startswith(described["TableArn"] + "/stream/")
    ddb.put_item(TableName="t", Item={**KEY, "v": {"N": "1"}})
    ddb.update_item(TableName="t", Key=KEY, UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "2"}})
    ddb.delete_item(TableName="t", Key=KEY)
    streams = aws.client("dynamodbstreams")
    listed = streams.list_streams()["Streams"]
    assert listed == [{"StreamArn": arn, "TableName": "t", "StreamLabel": described["LatestStreamLabel"]}]
    records, _next = read_all(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    sequences = [r["dynamodb"]["SequenceNumber"] for r in records]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    assert all(r["eventSource"] == "aws:dynamodb" and r["dynamodb"]["Keys"] == KEY for r in records)
    images = [(r["dynamodb"].get("NewImage", {}).get("v"), r["dynamodb"].get("OldImage", {}).get("v"))
              for r in records]
    expected = {
        "KEYS_ONLY": [(None, None)] * 3,
        "NEW_IMAGE": [({"N": "1"}, None), ({"N": "2"}, None), (None, None)],
        "OLD_IMAGE": [(None, None), (None, {"N": "1"}), (None, {"N": "2"})],
        "NEW_AND_OLD_IMAGES": [({"N": "1"}, None), ({"N": "2"}, {"N": "1"}), (None, {"N": "2"})],
    }[view_type]
    assert images == expected
    assert all(r["dynamodb"]["StreamViewType"] == view_type for r in records)


def test_iterators(aws: Harness, ddb: Any) -> None:
    arn = make_table(ddb, StreamSpecification={"StreamEnabled": True,
                                               "StreamViewType": "KEYS_ONLY"})["LatestStreamArn"]
    streams = aws.client("dynamodbstreams")
    for i in range(3):
        ddb.put_item(TableName="t", Item={"pk": {"S": str(i)}, "sk": {"S": "1"}})
    records, following = read_all(streams, arn)
    assert len(records) == 3
    assert streams.get_records(ShardIterator=following)["Records"] == []
    ddb.put_item(TableName="t", Item={"pk": {"S": "later"}, "sk": {"S": "1"}})
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in streams.get_records(ShardIterator=following)["Records"]] == [
        "later"]
    latest, _ = read_all(streams, arn, "LATEST")
    assert latest == []
    second = records[1]["dynamodb"]["SequenceNumber"]
    at, _ = read_all(streams, arn, "AT_SEQUENCE_NUMBER", SequenceNumber=second)
    after, _ = read_all(streams, arn, "AFTER_SEQUENCE_NUMBER", SequenceNumber=second)
    assert [r["dynamodb"]["SequenceNumber"] for r in at][0] == second
    assert len(at) == len(after) + 1
    with pytest.raises(ClientError) as excinfo:
        streams.get_records(ShardIterator="not-an-iterator")
    assert error(excinfo) == ("ValidationException", "Invalid ShardIterator")
    aws.emulator.clock.advance(16 * 60)
    with pytest.raises(ClientError) as excinfo:
        streams.get_records(ShardIterator=following)
    assert error(excinfo)[0] == "ExpiredIteratorException"
    with pytest.raises(ClientError) as excinfo:
        streams.describe_stream(StreamArn=arn + "x")
    assert error(excinfo)[0] == "ResourceNotFoundException"


def test_retention_and_ttl_records(aws: Harness, ddb: Any) -> None:
    arn = make_table(ddb, range_type=None, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "OLD_IMAGE"})["LatestStreamArn"]
    ddb.update_time_to_live(TableName="t", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    now = aws.emulator.clock.time()
    ddb.put_item(TableName="t", Item={"pk": {"S": "old"}})
    aws.emulator.clock.advance(25 * 3600)
    ddb.put_item(TableName="t", Item={"pk": {"S": "ttl"}, "exp": {"N": str(int(now) + 25 * 3600 + 10)}})
    aws.emulator.clock.advance(60)
    ddb.scan(TableName="t")  # the expired item goes, with a REMOVE record by the service
    records, _ = read_all(aws.client("dynamodbstreams"), arn)
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records] == [
        ("INSERT", "ttl"), ("REMOVE", "ttl")]  # the 25-hour-old record is gone
    assert records[1]["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}


def test_stream_settings_on_update_table(aws: Harness, ddb: Any) -> None:
    make_table(ddb)
    assert "LatestStreamArn" not in ddb.describe_table(TableName="t")["Table"]
    enabled = ddb.update_table(TableName="t", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
    assert enabled["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    with pytest.raises(ClientError) as excinfo:
        ddb.update_table(TableName="t", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    assert error(excinfo)[1] == "Table already has an enabled stream: TableName: t"
    ddb.update_table(TableName="t", StreamSpecification={"StreamEnabled": False})
    described = aws.client("dynamodbstreams").describe_stream(StreamArn=enabled["LatestStreamArn"])
    assert described["StreamDescription"]["StreamStatus"] == "DISABLED"
