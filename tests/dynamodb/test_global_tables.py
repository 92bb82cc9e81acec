"""Global tables (version 2019.11.21): UpdateTable ReplicaUpdates creates the replica in the
other region, and writes in either region appear in the other."""

from __future__ import annotations

from typing import Any

from tests.dynamodb.conftest import make_table
from tests.harness import Harness

KEY = {"pk": {"S": "a"}, "sk": {"S": "1"}}


def test_replica_in_another_region(aws: Harness, ddb: Any) -> None:
    make_table(ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    ddb.put_item(TableName="t", Item={**KEY, "v": {"S": "before"}})
    described = ddb.update_table(TableName="t", ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}])
    assert described["TableDescription"]["Replicas"] == [{"RegionName": "eu-west-1", "ReplicaStatus": "ACTIVE"}]
    west = aws.client("dynamodb", region_name="eu-west-1")
    replica = west.describe_table(TableName="t")["Table"]
    assert replica["Replicas"] == [{"RegionName": "us-east-1", "ReplicaStatus": "ACTIVE"}]
    assert replica["TableArn"].startswith("arn:aws:dynamodb:eu-west-1:")
    assert west.get_item(TableName="t", Key=KEY)["Item"]["v"] == {"S": "before"}  # existing items copied
    ddb.put_item(TableName="t", Item={**KEY, "v": {"S": "east"}})
    assert west.get_item(TableName="t", Key=KEY)["Item"]["v"] == {"S": "east"}
    west.update_item(TableName="t", Key=KEY, UpdateExpression="SET v = :v", ExpressionAttributeValues={
        ":v": {"S": "west"}})
    assert ddb.get_item(TableName="t", Key=KEY)["Item"]["v"] == {"S": "west"}
    west.delete_item(TableName="t", Key=KEY)
    assert "Item" not in ddb.get_item(TableName="t", Key=KEY)
    ddb.update_table(TableName="t", ReplicaUpdates=[{"Delete": {"RegionName": "eu-west-1"}}])
    assert west.list_tables()["TableNames"] == []
    assert "Replicas" not in ddb.describe_table(TableName="t")["Table"]
