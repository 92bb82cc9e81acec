"""Query and Scan: key conditions, order, paging (Limit, ExclusiveStartKey, 1 MB), filters and
ScannedCount, Select, indexes (projections, sparse), parallel scan segments."""

from __future__ import annotations

from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from tests.dynamodb.conftest import error, make_table
from tests.harness import Harness


def fill(ddb: Any, count: int = 20, partition: str = "p") -> None:
    for i in range(count):
        ddb.put_item(TableName="t", Item={"pk": {"S": partition}, "sk": {"N": str(i)}, "even": {"BOOL": i % 2 == 0},
                                          "name": {"S": f"n{i:02d}"}})


def sks(items: list[dict[str, Any]]) -> list[int]:
    return [int(item["sk"]["N"]) for item in items]


@pytest.fixture
def numbers(ddb: Any) -> None:
    make_table(ddb, range_type="N")
    fill(ddb)
    fill(ddb, 3, "other")


def q(ddb: Any, expression: str, values: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return ddb.query(TableName="t", KeyConditionExpression=expression, ExpressionAttributeValues=values, **kwargs)


P = {":p": {"S": "p"}}


@pytest.mark.parametrize("condition, values, expected", [
    ("pk = :p", {}, list(range(20))),
    ("pk = :p AND sk = :a", {":a": {"N": "5"}}, [5]),
    ("pk = :p AND sk < :a", {":a": {"N": "3"}}, [0, 1, 2]),
    ("pk = :p AND sk <= :a", {":a": {"N": "3"}}, [0, 1, 2, 3]),
    ("pk = :p AND sk > :a", {":a": {"N": "17"}}, [18, 19]),
    ("pk = :p AND :a <= sk", {":a": {"N": "18"}}, [18, 19]),
    ("sk BETWEEN :a AND :b AND pk = :p", {":a": {"N": "4"}, ":b": {"N": "6"}}, [4, 5, 6]),
])
def test_key_conditions(ddb: Any, numbers: None, condition: str, values: dict[str, Any], expected: list[int]) -> None:
    assert sks(q(ddb, condition, {**P, **values})["Items"]) == expected


def test_begins_with_on_string_sort_keys(ddb: Any) -> None:
    make_table(ddb)
    for sk in ("a#1", "a#2", "b#1", "ab", "a"):
        ddb.put_item(TableName="t", Item={"pk": {"S": "p"}, "sk": {"S": sk}})
    found = q(ddb, "pk = :p AND begins_with(sk, :a)", {**P, ":a": {"S": "a#"}})["Items"]
    assert [i["sk"]["S"] for i in found] == ["a#1", "a#2"]


def test_order_and_paging(ddb: Any, numbers: None) -> None:
    assert sks(q(ddb, "pk = :p", P, ScanIndexForward=False, Limit=3)["Items"]) == [19, 18, 17]
    seen: list[int] = []
    start: dict[str, Any] | None = None
    pages = 0
    while True:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        page = q(ddb, "pk = :p", P, Limit=7, **kwargs)
        seen += sks(page["Items"])
        pages += 1
        start = page.get("LastEvaluatedKey")
        if start is None:
            break
        assert set(start) == {"pk", "sk"}
    assert seen == list(range(20)) and pages == 3
    backwards = q(ddb, "pk = :p", P, ScanIndexForward=False, ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"N": "5"}})
    assert sks(backwards["Items"]) == [4, 3, 2, 1, 0]
    paginated = [i for page in ddb.get_paginator("query").paginate(
        TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues=P,
        PaginationConfig={"PageSize": 6}) for i in page["Items"]]
    assert sks(paginated) == list(range(20))


def test_filter_counts_and_select(ddb: Any, numbers: None) -> None:
    page = q(ddb, "pk = :p", {**P, ":t": {"BOOL": True}}, FilterExpression="even = :t", Limit=10)
    assert page["Count"] == 5 and page["ScannedCount"] == 10 and sks(page["Items"]) == [0, 2, 4, 6, 8]
    count = q(ddb, "pk = :p", P, Select="COUNT")
    assert count["Count"] == 20 and "Items" not in count
    projected = q(ddb, "pk = :p AND sk = :z", {**P, ":z": {"N": "0"}}, ProjectionExpression="#n",
                  ExpressionAttributeNames={"#n": "name"})
    assert projected["Items"] == [{"name": {"S": "n00"}}]


def test_one_megabyte_pages(ddb: Any) -> None:
    make_table(ddb, range_type="N")
    blob = "x" * 100_000
    for i in range(25):
        ddb.put_item(TableName="t", Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "blob": {"S": blob}})
    first = q(ddb, "pk = :p", P)
    assert len(first["Items"]) == 11 and "LastEvaluatedKey" in first  # the item passing 1 MB ends the page
    rest = q(ddb, "pk = :p", P, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert len(first["Items"]) + len(rest["Items"]) + len(
        q(ddb, "pk = :p", P, ExclusiveStartKey=rest["LastEvaluatedKey"])["Items"]
        if "LastEvaluatedKey" in rest else []) == 25
    scanned = ddb.scan(TableName="t")
    assert scanned["ScannedCount"] == 11


@pytest.mark.parametrize("condition, values, message", [
    ("sk = :a", {":a": {"N": "1"}}, "Query condition missed key schema element: pk"),
    ("pk < :p", {":p": {"S": "p"}}, "Query key condition not supported"),
    ("pk = :p OR sk = :a", {":p": {"S": "p"}, ":a": {"N": "1"}}, "Invalid operator used in KeyConditionExpression: OR"),
    ("pk = :p AND sk = :a", {":p": {"S": "p"}, ":a": {"S": "1"}},
     "One or more parameter values were invalid: Condition parameter type does not match schema type"),
    ("pk = :p AND colour = :a", {":p": {"S": "p"}, ":a": {"N": "1"}}, "Query condition missed key schema element: sk"),
    ("pk = :p AND begins_with(sk, :a)", {":p": {"S": "p"}, ":a": {"S": "1"}},
     "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: "
     "begins_with, operand type: N"),
])
def test_key_condition_errors(ddb: Any, numbers: None, condition: str, values: dict[str, Any], message: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        q(ddb, condition, values)
    assert error(excinfo) == ("ValidationException", message)


def test_query_without_key_condition(ddb: Any, numbers: None) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.query(TableName="t")
    assert error(excinfo)[1] == ("Either the KeyConditions or KeyConditionExpression parameter must be specified in "
                                 "the request.")
    legacy = ddb.query(TableName="t", KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
        "sk": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "18"}]}})
    assert sks(legacy["Items"]) == [18, 19]


def test_indexes(ddb: Any) -> None:
    make_table(ddb, range_type="N", extra_definitions=[{"AttributeName": "g", "AttributeType": "S"},
                                                       {"AttributeName": "rank", "AttributeType": "N"}],
               GlobalSecondaryIndexes=[
                   {"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                       {"AttributeName": "rank", "KeyType": "RANGE"}],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["extra"]}}],
               LocalSecondaryIndexes=[
                   {"IndexName": "by-rank", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                          {"AttributeName": "rank", "KeyType": "RANGE"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    for i in range(6):
        item = {"pk": {"S": "p"}, "sk": {"N": str(i)}, "extra": {"S": "e"}, "hidden": {"S": "h"}}
        if i != 3:  # sparse: item 3 is in neither index
            item |= {"g": {"S": "G"}, "rank": {"N": str(10 - i)}}
        ddb.put_item(TableName="t", Item=item)
    found = ddb.query(TableName="t", IndexName="by-g", KeyConditionExpression="g = :g AND #r > :r",
                      ExpressionAttributeNames={"#r": "rank"},
                      ExpressionAttributeValues={":g": {"S": "G"}, ":r": {"N": "6"}})
    assert sks(found["Items"]) == [2, 1, 0]
    assert set(found["Items"][0]) == {"pk", "sk", "g", "rank", "extra"}
    assert set(found["LastEvaluatedKey"] if "LastEvaluatedKey" in found else {}) == set()
    first = ddb.query(TableName="t", IndexName="by-g", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": {"S": "G"}}, Limit=2)
    assert set(first["LastEvaluatedKey"]) == {"pk", "sk", "g", "rank"}
    rest = ddb.query(TableName="t", IndexName="by-g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "G"}}, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert sks(first["Items"] + rest["Items"]) == [5, 4, 2, 1, 0]
    local = ddb.query(TableName="t", IndexName="by-rank", KeyConditionExpression="pk = :p",
                      ExpressionAttributeValues=P, ScanIndexForward=False)
    assert sks(local["Items"]) == [0, 1, 2, 4, 5] and set(local["Items"][0]) == {"pk", "sk", "rank"}
    assert ddb.scan(TableName="t", IndexName="by-g")["Count"] == 5
    with pytest.raises(ClientError) as excinfo:
        ddb.query(TableName="t", IndexName="nope", KeyConditionExpression="pk = :p", ExpressionAttributeValues=P)
    assert error(excinfo) == ("ValidationException", "The table does not have the specified index: nope")
    with pytest.raises(ClientError) as excinfo:
        ddb.query(TableName="t", IndexName="by-g", KeyConditionExpression="g = :g", Select="ALL_ATTRIBUTES",
                  ExpressionAttributeValues={":g": {"S": "G"}})
    assert "Select type ALL_ATTRIBUTES is not supported for global secondary index by-g" in error(excinfo)[1]
    # an update moving an item in the index
    ddb.update_item(TableName="t", Key={"pk": {"S": "p"}, "sk": {"N": "0"}}, UpdateExpression="REMOVE g")
    assert ddb.scan(TableName="t", IndexName="by-g", Select="COUNT")["Count"] == 4


def test_scan_pages_and_segments(ddb: Any) -> None:
    make_table(ddb, range_type="N")
    for p in range(10):
        fill(ddb, 5, f"p{p}")
    everything: list[tuple[str, int]] = []
    start = None
    while True:
        page = ddb.scan(TableName="t", Limit=8, **({"ExclusiveStartKey": start} if start else {}))
        everything += [(i["pk"]["S"], int(i["sk"]["N"])) for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert sorted(everything) == sorted((f"p{p}", i) for p in range(10) for i in range(5))
    segments = [ddb.scan(TableName="t", Segment=s, TotalSegments=3)["Items"] for s in range(3)]
    assert sum(len(s) for s in segments) == 50
    keys = [(i["pk"]["S"], i["sk"]["N"]) for s in segments for i in s]
    assert len(set(keys)) == 50
    filtered = ddb.scan(TableName="t", FilterExpression="sk = :z", ExpressionAttributeValues={":z": {"N": "0"}})
    assert filtered["Count"] == 10 and filtered["ScannedCount"] == 50
    with pytest.raises(ClientError) as excinfo:
        ddb.scan(TableName="t", Segment=3, TotalSegments=2)
    assert error(excinfo)[1] == ("The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                                 "Segment: 3 is not less than TotalSegments: 2")
    legacy = ddb.scan(TableName="t", ScanFilter={"sk": {"ComparisonOperator": "EQ",
                                                        "AttributeValueList": [{"N": "4"}]}})
    assert legacy["Count"] == 10


def test_resource_api_query_and_scan(aws: Harness, ddb: Any, numbers: None) -> None:
    table = aws.resource("dynamodb").Table("t")
    found = table.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").between(3, 5),
                        FilterExpression=Attr("even").eq(False))
    assert [int(i["sk"]) for i in found["Items"]] == [3, 5]
    scanned = table.scan(FilterExpression=Attr("name").begins_with("n1") & Attr("pk").ne("other"))
    assert sorted(int(i["sk"]) for i in scanned["Items"]) == list(range(10, 20))


def test_consumed_capacity_and_legacy_filters(ddb: Any, numbers: None) -> None:
    page = ddb.query(TableName="t", KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [
        {"S": "p"}]}}, QueryFilter={"even": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": True}]},
                                    "sk": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "6"}]}},
        ConditionalOperator="AND", AttributesToGet=["sk"], ReturnConsumedCapacity="TOTAL")
    assert page["Items"] == [{"sk": {"N": "0"}}, {"sk": {"N": "2"}}, {"sk": {"N": "4"}}]
    assert page["ConsumedCapacity"]["TableName"] == "t" and page["ConsumedCapacity"]["CapacityUnits"] > 0
    written = ddb.put_item(TableName="t", Item={"pk": {"S": "z"}, "sk": {"N": "1"}}, ReturnConsumedCapacity="INDEXES")
    assert written["ConsumedCapacity"]["Table"]["CapacityUnits"] == 1.0
    with pytest.raises(ClientError) as excinfo:
        ddb.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues=P,
                  QueryFilter={"sk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}},
                  FilterExpression="sk = :p")
    assert error(excinfo)[1].startswith("Can not use both expression and non-expression parameters")
