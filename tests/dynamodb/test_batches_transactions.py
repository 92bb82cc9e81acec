"""BatchGetItem / BatchWriteItem and TransactWriteItems / TransactGetItems."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.dynamodb.conftest import error, make_table
from tests.harness import Harness


def key(pk: str, sk: str = "1") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def test_batch_write_and_get(ddb: Any, table: str) -> None:
    make_table(ddb, "u", range_type=None)
    ddb.batch_write_item(RequestItems={
        "t": [{"PutRequest": {"Item": {**key(str(i)), "v": {"N": str(i)}}}} for i in range(20)],
        "u": [{"PutRequest": {"Item": {"pk": {"S": "x"}}}}],
    })
    ddb.batch_write_item(RequestItems={"t": [{"DeleteRequest": {"Key": key("0")}}]})
    found = ddb.batch_get_item(RequestItems={
        "t": {"Keys": [key("0"), key("1"), key("2")], "ProjectionExpression": "v"},
        "u": {"Keys": [{"pk": {"S": "x"}}]},
    })
    assert sorted(i["v"]["N"] for i in found["Responses"]["t"]) == ["1", "2"]
    assert found["Responses"]["u"] == [{"pk": {"S": "x"}}] and found["UnprocessedKeys"] == {}


def test_batch_limits_and_errors(ddb: Any, table: str) -> None:
    make_table(ddb, "u", range_type=None)
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_get_item(RequestItems={"t": {"Keys": [key(str(i)) for i in range(60)]},
                                         "u": {"Keys": [{"pk": {"S": str(i)}} for i in range(41)]}})
    assert error(excinfo) == ("ValidationException", "Too many items requested for the BatchGetItem call")
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_get_item(RequestItems={"t": {"Keys": [key("a"), key("a")]}})
    assert error(excinfo)[1] == "Provided list of item keys contains duplicates"
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": key("a")}},
                                                 {"DeleteRequest": {"Key": key("a")}}]})
    assert error(excinfo)[1] == "Provided list of item keys contains duplicates"
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": key("b")}}],
                                           "missing": [{"PutRequest": {"Item": key("c")}}]})
    assert error(excinfo)[0] == "ResourceNotFoundException"
    assert "Item" not in ddb.get_item(TableName="t", Key=key("b"))  # nothing of a refused batch is written


def test_batch_get_stops_at_16_megabytes(ddb: Any, table: str) -> None:
    blob = "x" * 390_000
    for start in range(0, 50, 25):
        ddb.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": {**key(str(i)), "b": {"S": blob}}}}
                                                 for i in range(start, start + 25)]})
    keys = [key(str(i)) for i in range(50)]
    found = ddb.batch_get_item(RequestItems={"t": {"Keys": keys}})
    unprocessed = found["UnprocessedKeys"]["t"]["Keys"]
    assert len(found["Responses"]["t"]) + len(unprocessed) == 50 and unprocessed
    again = ddb.batch_get_item(RequestItems=found["UnprocessedKeys"])
    assert len(again["Responses"]["t"]) == len(unprocessed)


def test_resource_batch_writer(aws: Harness, table: str) -> None:
    items = aws.resource("dynamodb").Table("t")
    with items.batch_writer() as writer:
        for i in range(60):
            writer.put_item(Item={"pk": "b", "sk": f"{i:03d}"})
    assert items.scan(Select="COUNT")["Count"] == 60


def test_transact_write_applies_everything(ddb: Any, table: str) -> None:
    ddb.put_item(TableName="t", Item={**key("acct"), "balance": {"N": "100"}})
    ddb.put_item(TableName="t", Item={**key("gone")})
    ddb.put_item(TableName="t", Item={**key("guard")})
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": "t", "Key": key("acct"), "UpdateExpression": "SET balance = balance - :x",
                    "ConditionExpression": "balance >= :x", "ExpressionAttributeValues": {":x": {"N": "30"}}}},
        {"Put": {"TableName": "t", "Item": {**key("new"), "v": {"S": "1"}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Delete": {"TableName": "t", "Key": key("gone")}},
        {"ConditionCheck": {"TableName": "t", "Key": key("guard"), "ConditionExpression": "attribute_exists(pk)"}},
    ])
    assert ddb.get_item(TableName="t", Key=key("acct"))["Item"]["balance"] == {"N": "70"}
    assert "Item" in ddb.get_item(TableName="t", Key=key("new"))
    assert "Item" not in ddb.get_item(TableName="t", Key=key("gone"))
    got = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "t", "Key": key("acct"),
                                                         "ProjectionExpression": "balance"}},
                                                {"Get": {"TableName": "t", "Key": key("nothing")}}])
    assert got["Responses"] == [{"Item": {"balance": {"N": "70"}}}, {}]


def test_transaction_cancelled_changes_nothing(ddb: Any, table: str) -> None:
    ddb.put_item(TableName="t", Item={**key("acct"), "balance": {"N": "10"}})
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "t", "Item": key("other")}},
            {"Update": {"TableName": "t", "Key": key("acct"), "UpdateExpression": "SET balance = balance - :x",
                        "ConditionExpression": "balance >= :x", "ExpressionAttributeValues": {":x": {"N": "30"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])
    code, message = error(excinfo)
    assert code == "TransactionCanceledException"
    assert message == ("Transaction cancelled, please refer cancellation reasons for specific reasons "
                       "[None, ConditionalCheckFailed]")
    reasons = excinfo.value.response["CancellationReasons"]
    assert reasons[0] == {"Code": "None"}
    assert reasons[1]["Code"] == "ConditionalCheckFailed" and reasons[1]["Item"]["balance"] == {"N": "10"}
    assert "Item" not in ddb.get_item(TableName="t", Key=key("other"))


def test_transaction_rules(ddb: Any, table: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "t", "Item": key("a")}},
                                                {"Delete": {"TableName": "t", "Key": key("a")}}])
    assert error(excinfo) == ("ValidationException",
                              "Transaction request cannot include multiple operations on one item")
    items = [{"Update": {"TableName": "t", "Key": key("n"), "UpdateExpression": "ADD v :one",
                         "ExpressionAttributeValues": {":one": {"N": "1"}}}}]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken="token-1")
    ddb.transact_write_items(TransactItems=items, ClientRequestToken="token-1")  # idempotent: applied once
    assert ddb.get_item(TableName="t", Key=key("n"))["Item"]["v"] == {"N": "1"}
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": "t", "Item": key("z")}}],
                                 ClientRequestToken="token-1")
    assert error(excinfo)[0] == "IdempotentParameterMismatchException"
