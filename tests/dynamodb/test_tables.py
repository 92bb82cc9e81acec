"""Tables: create / describe / update / delete / list, key schema validation, billing, indexes,
tags, TTL (on the emulator clock), limits, endpoints, deletion protection, PITR settings."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.dynamodb.conftest import error, make_table
from tests.harness import Harness

KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}]
DEFS = [{"AttributeName": "pk", "AttributeType": "S"}]


def test_create_describe_list_delete(ddb: Any, aws: Harness) -> None:
    created = make_table(ddb, "alpha")
    assert created["TableStatus"] == "CREATING"
    assert created["TableArn"] == f"arn:aws:dynamodb:us-east-1:{aws.account}:table/alpha"
    assert created["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    described = ddb.describe_table(TableName="alpha")["Table"]
    assert described["TableStatus"] == "ACTIVE" and described["ItemCount"] == 0
    assert described["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                      {"AttributeName": "sk", "KeyType": "RANGE"}]
    ddb.get_waiter("table_exists").wait(TableName="alpha", WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    assert ddb.delete_table(TableName="alpha")["TableDescription"]["TableStatus"] == "DELETING"
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_table(TableName="alpha")
    assert error(excinfo) == ("ResourceNotFoundException", "Requested resource not found: Table: alpha not found")


def test_list_tables_pages(ddb: Any) -> None:
    for name in ("c1x", "a1x", "b1x", "d1x", "e1x"):
        make_table(ddb, name, range_type=None)
    first = ddb.list_tables(Limit=2)
    assert first["TableNames"] == ["a1x", "b1x"] and first["LastEvaluatedTableName"] == "b1x"
    second = ddb.list_tables(Limit=2, ExclusiveStartTableName="b1x")
    assert second["TableNames"] == ["c1x", "d1x"]
    last = ddb.list_tables(Limit=2, ExclusiveStartTableName="d1x")
    assert last["TableNames"] == ["e1x"] and "LastEvaluatedTableName" not in last
    names = [n for page in ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2})
             for n in page["TableNames"]]
    assert names == ["a1x", "b1x", "c1x", "d1x", "e1x"]


def test_existing_table_is_in_use(ddb: Any) -> None:
    make_table(ddb)
    with pytest.raises(ClientError) as excinfo:
        make_table(ddb)
    assert error(excinfo) == ("ResourceInUseException", "Table already exists: t")


@pytest.mark.parametrize("keys, definitions, message", [
    ([{"AttributeName": "pk", "KeyType": "RANGE"}], DEFS,
     "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
    ([{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "HASH"}],
     DEFS + [{"AttributeName": "sk", "AttributeType": "S"}],
     "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"),
    (KEYS, [{"AttributeName": "other", "AttributeType": "S"}],
     "One or more parameter values were invalid: Some index key attributes are not defined in "
     "AttributeDefinitions. Keys: [pk], AttributeDefinitions: [other]"),
    (KEYS, DEFS + [{"AttributeName": "extra", "AttributeType": "N"}],
     "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number "
     "of attributes defined in AttributeDefinitions"),
])
def test_key_schema_validation(ddb: Any, keys: Any, definitions: Any, message: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(TableName="bad", KeySchema=keys, AttributeDefinitions=definitions,
                         BillingMode="PAY_PER_REQUEST")
    assert error(excinfo) == ("ValidationException", message)


def test_billing_mode_rules(ddb: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(TableName="p", KeySchema=KEYS, AttributeDefinitions=DEFS, BillingMode="PROVISIONED")
    assert "ReadCapacityUnits and WriteCapacityUnits must both be specified" in error(excinfo)[1]
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(TableName="p", KeySchema=KEYS, AttributeDefinitions=DEFS, BillingMode="PAY_PER_REQUEST",
                         ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    assert "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified" in error(excinfo)[1]
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(TableName="p", KeySchema=KEYS, AttributeDefinitions=DEFS)
    assert error(excinfo)[1] == "No provisioned throughput specified for the table"
    table = ddb.create_table(TableName="p", KeySchema=KEYS, AttributeDefinitions=DEFS,
                             ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3})
    assert table["TableDescription"]["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    updated = ddb.update_table(TableName="p", ProvisionedThroughput={"ReadCapacityUnits": 10,
                                                                     "WriteCapacityUnits": 3})["TableDescription"]
    assert updated["ProvisionedThroughput"]["ReadCapacityUnits"] == 10
    assert "LastIncreaseDateTime" in updated["ProvisionedThroughput"]
    with pytest.raises(ClientError) as excinfo:
        ddb.update_table(TableName="p", ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 3})
    assert error(excinfo)[1].startswith("The provisioned throughput for the table will not change.")
    on_demand = ddb.update_table(TableName="p", BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert on_demand["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_indexes_in_description_and_update(ddb: Any) -> None:
    make_table(ddb, extra_definitions=[{"AttributeName": "g", "AttributeType": "S"},
                                       {"AttributeName": "l", "AttributeType": "N"}],
               GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "KEYS_ONLY"}}],
               LocalSecondaryIndexes=[{"IndexName": "by-l", "KeySchema": [
                   {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                   "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}}])
    ddb.put_item(TableName="t", Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "g": {"S": "G"}})
    table = ddb.describe_table(TableName="t")["Table"]
    gsi = table["GlobalSecondaryIndexes"][0]
    assert gsi["IndexName"] == "by-g" and gsi["IndexStatus"] == "ACTIVE" and gsi["ItemCount"] == 1
    assert gsi["IndexArn"].endswith("table/t/index/by-g")
    assert table["LocalSecondaryIndexes"][0]["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}
    assert table["LocalSecondaryIndexes"][0]["ItemCount"] == 0  # sparse: the item has no "l"
    # add and remove a GSI; the new one is filled from the table's items
    ddb.update_table(TableName="t", AttributeDefinitions=[{"AttributeName": "h", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[{"Create": {
                         "IndexName": "by-h", "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}],
                         "Projection": {"ProjectionType": "ALL"}}}, {"Delete": {"IndexName": "by-g"}}])
    ddb.put_item(TableName="t", Item={"pk": {"S": "b"}, "sk": {"S": "1"}, "h": {"S": "H"}})
    table = ddb.describe_table(TableName="t")["Table"]
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["by-h"]
    assert {d["AttributeName"] for d in table["AttributeDefinitions"]} == {"pk", "sk", "l", "h"}
    found = ddb.query(TableName="t", IndexName="by-h", KeyConditionExpression="h = :h",
                      ExpressionAttributeValues={":h": {"S": "H"}})["Items"]
    assert found == [{"pk": {"S": "b"}, "sk": {"S": "1"}, "h": {"S": "H"}}]


def test_local_index_needs_the_table_hash_key(ddb: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        make_table(ddb, range_type=None, extra_definitions=[{"AttributeName": "l", "AttributeType": "S"}],
                   LocalSecondaryIndexes=[{"IndexName": "lsi", "KeySchema": [
                       {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                       "Projection": {"ProjectionType": "ALL"}}])
    assert "Table KeySchema does not have a range key" in error(excinfo)[1]


def test_tags(ddb: Any) -> None:
    arn = make_table(ddb, Tags=[{"Key": "team", "Value": "a"}])["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    assert sorted((t["Key"], t["Value"]) for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]) == [
        ("env", "dev"), ("team", "a")]
    ddb.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    with pytest.raises(ClientError) as excinfo:
        ddb.list_tags_of_resource(ResourceArn=arn + "x")
    assert error(excinfo)[0] == "ResourceNotFoundException"


def test_ttl_expires_items_on_the_emulator_clock(ddb: Any, aws: Harness) -> None:
    make_table(ddb, range_type=None)
    assert ddb.describe_time_to_live(TableName="t")["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    ddb.update_time_to_live(TableName="t", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    with pytest.raises(ClientError) as excinfo:
        ddb.update_time_to_live(TableName="t", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert error(excinfo) == ("ValidationException", "TimeToLive is already enabled")
    assert ddb.describe_time_to_live(TableName="t")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    now = aws.emulator.clock.time()
    ddb.put_item(TableName="t", Item={"pk": {"S": "soon"}, "exp": {"N": str(int(now) + 60)}})
    ddb.put_item(TableName="t", Item={"pk": {"S": "later"}, "exp": {"N": str(int(now) + 3600)}})
    ddb.put_item(TableName="t", Item={"pk": {"S": "never"}, "exp": {"S": "not a number"}})
    assert "Item" in ddb.get_item(TableName="t", Key={"pk": {"S": "soon"}})
    aws.emulator.clock.advance(120)
    assert "Item" not in ddb.get_item(TableName="t", Key={"pk": {"S": "soon"}})
    assert sorted(i["pk"]["S"] for i in ddb.scan(TableName="t")["Items"]) == ["later", "never"]
    aws.emulator.clock.advance(3600)
    assert [i["pk"]["S"] for i in ddb.scan(TableName="t")["Items"]] == ["never"]


def test_limits_and_endpoints(ddb: Any) -> None:
    limits = ddb.describe_limits()
    assert limits["TableMaxReadCapacityUnits"] == 40000 and limits["AccountMaxWriteCapacityUnits"] == 80000
    assert ddb.describe_endpoints()["Endpoints"][0]["Address"] == "dynamodb.us-east-1.amazonaws.com"


def test_deletion_protection(ddb: Any) -> None:
    make_table(ddb, DeletionProtectionEnabled=True)
    assert ddb.describe_table(TableName="t")["Table"]["DeletionProtectionEnabled"] is True
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_table(TableName="t")
    assert error(excinfo)[0] == "ValidationException"
    ddb.update_table(TableName="t", DeletionProtectionEnabled=False)
    ddb.delete_table(TableName="t")
    assert ddb.list_tables()["TableNames"] == []


def test_point_in_time_recovery_settings(ddb: Any) -> None:
    make_table(ddb)
    pitr = ddb.describe_continuous_backups(TableName="t")["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    enabled = ddb.update_continuous_backups(TableName="t", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})["ContinuousBackupsDescription"]
    assert enabled["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_continuous_backups(TableName="missing")
    assert error(excinfo) == ("TableNotFoundException", "Table not found: missing")


def test_operations_on_a_missing_table(ddb: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.get_item(TableName="nope", Key={"pk": {"S": "a"}})
    assert error(excinfo) == ("ResourceNotFoundException", "Requested resource not found")


def test_resource_api_creates_and_waits(aws: Harness) -> None:
    dynamodb = aws.resource("dynamodb")
    table = dynamodb.create_table(TableName="res", KeySchema=KEYS, AttributeDefinitions=DEFS,
                                  BillingMode="PAY_PER_REQUEST")
    table.wait_until_exists()
    table.reload()
    assert table.table_status == "ACTIVE" and table.item_count == 0


def test_resource_policies(ddb: Any, aws: Harness) -> None:
    policy = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::'
              + aws.account + ':root"}, "Action": "dynamodb:GetItem", "Resource": "*"}]}')
    arn = make_table(ddb, ResourcePolicy=policy)["TableArn"]
    first = ddb.get_resource_policy(ResourceArn=arn)
    assert first["Policy"] == policy and first["RevisionId"]
    second = ddb.put_resource_policy(ResourceArn=arn, Policy=policy, ExpectedRevisionId=first["RevisionId"])
    assert second["RevisionId"] != first["RevisionId"]
    with pytest.raises(ClientError) as excinfo:
        ddb.put_resource_policy(ResourceArn=arn, Policy=policy, ExpectedRevisionId=first["RevisionId"])
    assert error(excinfo)[0] == "PolicyNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        ddb.put_resource_policy(ResourceArn=arn, Policy='{"Statement": "nope"}')
    assert error(excinfo)[0] == "ValidationException"
    ddb.delete_resource_policy(ResourceArn=arn)
    with pytest.raises(ClientError) as excinfo:
        ddb.get_resource_policy(ResourceArn=arn)
    assert error(excinfo) == ("PolicyNotFoundException",
                              f"Resource-based policy not found for the provided ResourceArn: {arn}")


def test_a_table_named_by_arn_is_found_in_its_region(aws: Harness, ddb: Any) -> None:
    west = aws.client("dynamodb", region_name="eu-west-1")
    arn = make_table(west, range_type=None)["TableArn"]
    ddb.put_item(TableName=arn, Item={"pk": {"S": "via-arn"}})  # sent to us-east-1, lands in eu-west-1
    assert west.get_item(TableName="t", Key={"pk": {"S": "via-arn"}})["Item"] == {"pk": {"S": "via-arn"}}
    assert ddb.describe_table(TableName=arn)["Table"]["TableArn"] == arn
    assert ddb.list_tables()["TableNames"] == []


def test_a_table_without_a_key_schema_is_a_validation_error(ddb: Any) -> None:
    # botocore's model lets KeySchema out; DynamoDB requires it.
    with pytest.raises(ClientError) as raised:
        ddb.create_table(TableName="nokeys", AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "Value null at 'keySchema' failed to satisfy constraint: Member must not be null" in \
        raised.value.response["Error"]["Message"]
