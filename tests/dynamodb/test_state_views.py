"""DynamoDbStateView: snapshot, restore onto a fresh emulator, merge, invalid views, and
notifications (after writes, never after reads)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

import hoarfrost
from hoarfrost.core.emulator import Emulator
from hoarfrost.core.views import StateChange, StateViewError
from hoarfrost.services.dynamodb.views import DynamoDbStateView
from tests.dynamodb.conftest import make_table
from tests.harness import Harness


def populate(ddb: Any) -> None:
    make_table(ddb, range_type="N", extra_definitions=[{"AttributeName": "g", "AttributeType": "S"}],
               GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "ALL"}}],
               Tags=[{"Key": "team", "Value": "x"}],
               StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    ddb.update_time_to_live(TableName="t", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    for i in range(5):
        ddb.put_item(TableName="t", Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "g": {"S": f"g{i % 2}"},
                                          "bin": {"B": bytes([i, 255])}, "set": {"BS": [b"\x00", b"\x01"]},
                                          "m": {"M": {"l": {"L": [{"N": "1.5"}, {"NULL": True}]}}}})


def test_snapshot_and_restore_onto_a_fresh_emulator(ddb: Any, aws: Harness) -> None:
    populate(ddb)
    view = aws.emulator.service("dynamodb").snapshot(aws.account, aws.region)
    assert isinstance(view, DynamoDbStateView)
    (table,) = view.tables
    assert table.table_name == "t" and len(table.items) == 5 and table.tags == {"team": "x"}
    assert table.time_to_live_attribute == "exp" and table.stream_view_type == "NEW_AND_OLD_IMAGES"
    assert len(table.stream_records) == 5
    text = view.model_dump_json()
    assert DynamoDbStateView.model_validate_json(text) == view
    assert "tables" in DynamoDbStateView.model_json_schema()["properties"]

    fresh = Emulator()
    fresh.service("dynamodb").restore(aws.account, aws.region, json.loads(text))
    with hoarfrost.mock_aws(fresh, keep_state=True):
        client = boto3.client("dynamodb", region_name="us-east-1")
        item = client.get_item(TableName="t", Key={"pk": {"S": "p"}, "sk": {"N": "3"}})["Item"]
        assert item["bin"] == {"B": bytes([3, 255])} and item["set"]["BS"] == [b"\x00", b"\x01"]
        assert item["m"]["M"]["l"]["L"] == [{"N": "1.5"}, {"NULL": True}]
        found = client.query(TableName="t", IndexName="by-g", KeyConditionExpression="g = :g",
                             ExpressionAttributeValues={":g": {"S": "g0"}})
        assert found["Count"] == 3
        described = client.describe_table(TableName="t")["Table"]
        assert described["ItemCount"] == 5 and described["TableArn"].endswith(":table/t")
        assert client.describe_time_to_live(TableName="t")["TimeToLiveDescription"]["AttributeName"] == "exp"


def test_merge_keeps_what_exists(ddb: Any, aws: Harness) -> None:
    populate(ddb)
    make_table(ddb, "kept", range_type=None)
    service = aws.emulator.service("dynamodb")
    partial = {"tables": [{
        "table_name": "t", "key_schema": [{"attribute_name": "pk", "key_type": "HASH"},
                                          {"attribute_name": "sk", "key_type": "RANGE"}],
        "attribute_definitions": {"pk": "S", "sk": "N"},
        "items": [{"pk": {"S": "p"}, "sk": {"N": "0"}, "v": {"S": "replaced"}},
                  {"pk": {"S": "p"}, "sk": {"N": "9"}, "v": {"S": "added"}}],
    }]}
    service.merge(aws.account, aws.region, partial)
    assert ddb.get_item(TableName="t", Key={"pk": {"S": "p"}, "sk": {"N": "0"}})["Item"]["v"] == {"S": "replaced"}
    assert ddb.get_item(TableName="t", Key={"pk": {"S": "p"}, "sk": {"N": "9"}})["Item"]["v"] == {"S": "added"}
    assert "Item" in ddb.get_item(TableName="t", Key={"pk": {"S": "p"}, "sk": {"N": "4"}})
    assert sorted(ddb.list_tables()["TableNames"]) == ["kept", "t"]


@pytest.mark.parametrize("broken", [
    {"tables": [{"table_name": "x", "key_schema": [{"attribute_name": "pk", "key_type": "HASH"}],
                 "attribute_definitions": {}}]},
    {"tables": [{"table_name": "x", "key_schema": [{"attribute_name": "pk", "key_type": "HASH"}],
                 "attribute_definitions": {"pk": "S"}, "items": [{"other": {"S": "1"}}]}]},
    {"tables": [{"table_name": "x", "key_schema": [{"attribute_name": "pk", "key_type": "HASH"}],
                 "attribute_definitions": {"pk": "S"}, "items": [{"pk": {"N": "not a number"}}]}]},
    {"tables": [{"table_name": "x", "key_schema": [{"attribute_name": "pk", "key_type": "HASH"}],
                 "attribute_definitions": {"pk": "S"}, "items": [{"pk": {"S": "a"}}, {"pk": {"S": "a"}}]}]},
    {"tables": "nope"},
])
def test_an_invalid_view_changes_nothing(ddb: Any, aws: Harness, broken: dict[str, Any]) -> None:
    populate(ddb)
    service = aws.emulator.service("dynamodb")
    before = service.snapshot(aws.account, aws.region).model_dump_json()
    for apply in (service.restore, service.merge):
        with pytest.raises(StateViewError) as excinfo:
            apply(aws.account, aws.region, broken)
        assert excinfo.value.kind == "invalid"
    assert service.snapshot(aws.account, aws.region).model_dump_json() == before


def test_notifications_after_writes_only(ddb: Any, aws: Harness) -> None:
    make_table(ddb)
    seen: list[StateChange] = []
    with aws.emulator.service("dynamodb").notifier.subscribe(seen.append):
        ddb.put_item(TableName="t", Item={"pk": {"S": "a"}, "sk": {"S": "1"}})
        ddb.get_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"S": "1"}})
        ddb.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}})
        ddb.scan(TableName="t")
        ddb.batch_get_item(RequestItems={"t": {"Keys": [{"pk": {"S": "a"}, "sk": {"S": "1"}}]}})
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "t", "Key": {"pk": {"S": "a"},
                                                                                 "sk": {"S": "1"}}}}])
        ddb.describe_table(TableName="t")
        ddb.delete_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"S": "1"}})
        ddb.delete_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"S": "1"}})  # already gone: no change
    assert [change.operation for change in seen] == ["PutItem", "DeleteItem"]
    assert seen[0].view().tables[0].table_name == "t"


def test_backups_travel_with_the_view(ddb: Any, aws: Harness) -> None:
    make_table(ddb, range_type=None)
    ddb.put_item(TableName="t", Item={"pk": {"S": "kept"}})
    arn = ddb.create_backup(TableName="t", BackupName="first")["BackupDetails"]["BackupArn"]
    ddb.delete_item(TableName="t", Key={"pk": {"S": "kept"}})
    text = aws.emulator.service("dynamodb").snapshot_json(aws.account, aws.region)
    fresh = Emulator()
    fresh.service("dynamodb").restore(aws.account, aws.region, text)
    with hoarfrost.mock_aws(fresh, keep_state=True):
        client = boto3.client("dynamodb", region_name="us-east-1")
        assert client.list_backups()["BackupSummaries"][0]["BackupArn"] == arn
        client.restore_table_from_backup(TargetTableName="back", BackupArn=arn)
        assert client.scan(TableName="back")["Items"] == [{"pk": {"S": "kept"}}]
        assert client.scan(TableName="t")["Items"] == []


def test_state_over_the_admin_api(server: Any) -> None:
    """What GET /_hoarfrost/state/dynamodb answers, PUT restores (binary values in base64)."""
    import requests

    ddb = server.client("dynamodb")
    make_table(ddb, range_type=None)
    ddb.put_item(TableName="t", Item={"pk": {"S": "a"}, "bin": {"B": b"\x00\xff"}})
    url = server.http_url("/_hoarfrost/state/dynamodb")
    document = requests.get(url, timeout=10).json()
    assert document["tables"][0]["items"] == [{"pk": {"S": "a"}, "bin": {"B": "AP8="}}]
    ddb.delete_table(TableName="t")
    requests.put(url, json=document, timeout=10).raise_for_status()
    assert ddb.get_item(TableName="t", Key={"pk": {"S": "a"}})["Item"]["bin"] == {"B": b"\x00\xff"}
