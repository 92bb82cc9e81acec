"""On-demand backups (with their data) and point-in-time restores."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.dynamodb.conftest import error, make_table
from tests.harness import Harness


def key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}}


def test_backup_and_restore_with_data(ddb: Any) -> None:
    make_table(ddb, range_type=None, extra_definitions=[{"AttributeName": "g", "AttributeType": "S"}],
               GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "ALL"}}])
    for i in range(3):
        ddb.put_item(TableName="t", Item={**key(str(i)), "g": {"S": "G"}})
    details = ddb.create_backup(TableName="t", BackupName="nightly")["BackupDetails"]
    assert details["BackupStatus"] == "AVAILABLE" and details["BackupName"] == "nightly"
    ddb.delete_item(TableName="t", Key=key("0"))  # after the backup: not in it
    described = ddb.describe_backup(BackupArn=details["BackupArn"])["BackupDescription"]
    assert described["SourceTableDetails"]["ItemCount"] == 3
    assert described["SourceTableFeatureDetails"]["GlobalSecondaryIndexes"][0]["IndexName"] == "by-g"
    summaries = ddb.list_backups(TableName="t")["BackupSummaries"]
    assert [s["BackupArn"] for s in summaries] == [details["BackupArn"]]
    restored = ddb.restore_table_from_backup(TargetTableName="copy", BackupArn=details["BackupArn"])
    assert restored["TableDescription"]["TableName"] == "copy"
    assert ddb.scan(TableName="copy", Select="COUNT")["Count"] == 3
    assert ddb.query(TableName="copy", IndexName="by-g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "G"}})["Count"] == 3
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_from_backup(TargetTableName="copy", BackupArn=details["BackupArn"])
    assert error(excinfo) == ("TableAlreadyExistsException", "Table already exists: copy")
    assert ddb.delete_backup(BackupArn=details["BackupArn"])["BackupDescription"]["BackupDetails"][
        "BackupStatus"] == "DELETED"
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_backup(BackupArn=details["BackupArn"])
    assert error(excinfo)[0] == "BackupNotFoundException"


def test_restore_to_point_in_time(ddb: Any, aws: Harness) -> None:
    make_table(ddb, "src", range_type=None)
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="rrr", UseLatestRestorableTime=True)
    assert error(excinfo)[0] == "PointInTimeRecoveryUnavailableException"
    ddb.update_continuous_backups(TableName="src", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    clock = aws.emulator.clock
    ddb.put_item(TableName="src", Item={**key("a"), "v": {"N": "1"}})
    clock.advance(60)
    moment = dt.datetime.fromtimestamp(clock.time(), dt.timezone.utc)
    clock.advance(60)
    ddb.put_item(TableName="src", Item={**key("a"), "v": {"N": "2"}})
    ddb.put_item(TableName="src", Item={**key("b")})
    ddb.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="then", RestoreDateTime=moment)
    assert [i["v"] for i in ddb.scan(TableName="then")["Items"]] == [{"N": "1"}]
    ddb.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="now", UseLatestRestorableTime=True)
    assert ddb.scan(TableName="now")["Count"] == 2
    with pytest.raises(ClientError) as excinfo:
        ddb.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="xxx",
                                           RestoreDateTime=moment - dt.timedelta(days=1))
    assert error(excinfo)[0] == "InvalidRestoreTimeException"
