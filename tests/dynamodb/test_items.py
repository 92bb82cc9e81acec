"""PutItem / GetItem / UpdateItem / DeleteItem: conditions, projections, update expressions,
ReturnValues, value rules (numbers, sets, sizes, keys) and DynamoDB's messages."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from tests.dynamodb.conftest import error
from tests.harness import Harness

KEY = {"pk": {"S": "a"}, "sk": {"S": "1"}}


def put(ddb: Any, **attributes: Any) -> None:
    ddb.put_item(TableName="t", Item={**KEY, **attributes})


def get(ddb: Any, **kwargs: Any) -> dict[str, Any]:
    return ddb.get_item(TableName="t", Key=KEY, **kwargs).get("Item", {})


def update(ddb: Any, expression: str, values: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    if values is not None:
        kwargs["ExpressionAttributeValues"] = values
    return ddb.update_item(TableName="t", Key=KEY, UpdateExpression=expression, **kwargs)


def fails(call: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    return error(excinfo)


def test_put_get_delete_with_return_values(ddb: Any, table: str) -> None:
    assert "Attributes" not in ddb.put_item(TableName="t", Item={**KEY, "v": {"S": "one"}}, ReturnValues="ALL_OLD")
    old = ddb.put_item(TableName="t", Item={**KEY, "v": {"S": "two"}}, ReturnValues="ALL_OLD")["Attributes"]
    assert old["v"] == {"S": "one"}
    assert get(ddb)["v"] == {"S": "two"}
    deleted = ddb.delete_item(TableName="t", Key=KEY, ReturnValues="ALL_OLD")["Attributes"]
    assert deleted["v"] == {"S": "two"} and get(ddb) == {}
    assert fails(ddb.put_item, TableName="t", Item=KEY, ReturnValues="ALL_NEW") == (
        "ValidationException", "ReturnValues can only be ALL_OLD or NONE")


def test_numbers_are_normalised_and_limited(ddb: Any, table: str) -> None:
    put(ddb, a={"N": "001.500"}, b={"N": "1e3"}, c={"N": "-0.0"}, d={"NS": ["1", "2.0"]})
    item = get(ddb)
    assert item["a"] == {"N": "1.5"} and item["b"] == {"N": "1000"} and item["c"] == {"N": "0"}
    assert sorted(item["d"]["NS"]) == ["1", "2"]
    assert fails(put, ddb, x={"N": "1" * 39}) == (
        "ValidationException", "Attempting to store more than 38 significant digits in a Number")
    assert fails(put, ddb, x={"N": "abc"}) == ("ValidationException",
                                              "A value provided cannot be converted into a number")
    assert fails(put, ddb, x={"N": "1E126"})[1].startswith("Number overflow.")
    # arithmetic is decimal, 38 digits
    put(ddb, n={"N": "0.1"})
    update(ddb, "SET n = n + :x", {":x": {"N": "0.2"}})
    assert get(ddb)["n"] == {"N": "0.3"}


def test_sets_and_empty_values(ddb: Any, table: str) -> None:
    assert fails(put, ddb, s={"SS": []}) == ("ValidationException",
                                             "One or more parameter values were invalid: An string set  may not be empty")
    assert fails(put, ddb, s={"SS": ["a", "a"]}) == (
        "ValidationException", "One or more parameter values were invalid: Input collection [a, a] contains duplicates.")
    put(ddb, s={"S": ""}, b={"B": b""})  # empty strings and binaries are fine outside keys
    assert get(ddb)["s"] == {"S": ""}
    assert fails(ddb.put_item, TableName="t", Item={"pk": {"S": ""}, "sk": {"S": "1"}}) == (
        "ValidationException", "One or more parameter values are not valid. The AttributeValue for a key attribute "
                               "cannot contain an empty string value. Key: pk")


def test_key_checks(ddb: Any, table: str) -> None:
    assert fails(ddb.put_item, TableName="t", Item={"pk": {"S": "a"}}) == (
        "ValidationException", "One or more parameter values were invalid: Missing the key sk in the item")
    assert fails(ddb.put_item, TableName="t", Item={"pk": {"N": "1"}, "sk": {"S": "1"}}) == (
        "ValidationException", "One or more parameter values were invalid: Type mismatch for key pk expected: S "
                               "actual: N")
    assert fails(ddb.get_item, TableName="t", Key={"pk": {"S": "a"}}) == (
        "ValidationException", "The provided key element does not match the schema")
    assert fails(ddb.get_item, TableName="t", Key={**KEY, "x": {"S": "1"}})[1] == (
        "The provided key element does not match the schema")


def test_item_size_limit(ddb: Any, table: str) -> None:
    put(ddb, big={"S": "x" * (400 * 1024 - 100)})
    assert fails(put, ddb, big={"S": "x" * (400 * 1024)}) == (
        "ValidationException", "Item size has exceeded the maximum allowed size")


def test_conditions(ddb: Any, table: str) -> None:
    ddb.put_item(TableName="t", Item={**KEY, "v": {"N": "5"}}, ConditionExpression="attribute_not_exists(pk)")
    code, message = fails(ddb.put_item, TableName="t", Item=KEY, ConditionExpression="attribute_not_exists(pk)")
    assert (code, message) == ("ConditionalCheckFailedException", "The conditional request failed")
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_item(TableName="t", Key=KEY, ConditionExpression="v > :x",
                        ExpressionAttributeValues={":x": {"N": "10"}}, ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert excinfo.value.response["Item"]["v"] == {"N": "5"}
    ddb.delete_item(TableName="t", Key=KEY, ConditionExpression="v BETWEEN :a AND :b",
                    ExpressionAttributeValues={":a": {"N": "1"}, ":b": {"N": "5"}})
    assert get(ddb) == {}


@pytest.mark.parametrize("condition, expected", [
    ("attribute_exists(m.inr)", True),
    ("attribute_exists(m.nope)", False),
    ("attribute_type(l, :L)", True),
    ("begins_with(s, :he)", True),
    ("contains(s, :ll)", True),
    ("contains(ss, :x)", True),
    ("contains(l, :one)", True),
    ("size(l) = :three", True),
    ("size(s) > :three", True),
    ("l[1] = :two", True),
    ("m.inr.deep = :one", True),
    ("s IN (:he, :hello)", True),
    ("NOT s = :hello", False),
    ("(s = :he OR s = :hello) AND n <> :one", True),
    ("n < :three AND n >= :two", True),
    ("absent <> :one", True),
    ("absent = :one", False),
    ("s < :one", False),  # different types never compare
    ("#s = :hello", True),
])
def test_condition_language(ddb: Any, table: str, condition: str, expected: bool) -> None:
    put(ddb, s={"S": "hello"}, ss={"SS": ["x", "y"]}, n={"N": "2"}, l={"L": [{"N": "1"}, {"N": "2"}, {"S": "z"}]},
        m={"M": {"inr": {"M": {"deep": {"N": "1"}}}}})
    values = {":L": {"S": "L"}, ":he": {"S": "he"}, ":ll": {"S": "ll"}, ":x": {"S": "x"}, ":one": {"N": "1"},
              ":two": {"N": "2"}, ":three": {"N": "3"}, ":hello": {"S": "hello"}}
    used = {k: v for k, v in values.items() if re.search(re.escape(k) + r"\b", condition)}
    names = {"#s": "s"} if "#s" in condition else None
    kwargs: dict[str, Any] = {"ExpressionAttributeValues": used} if used else {}
    if names:
        kwargs["ExpressionAttributeNames"] = names
    try:
        ddb.put_item(TableName="t", Item={**KEY, "s": {"S": "hello"}, "ss": {"SS": ["x", "y"]}, "n": {"N": "2"},
                                          "l": {"L": [{"N": "1"}, {"N": "2"}, {"S": "z"}]},
                                          "m": {"M": {"inr": {"M": {"deep": {"N": "1"}}}}}},
                     ConditionExpression=condition, **kwargs)
        outcome = True
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "ConditionalCheckFailedException"
        outcome = False
    assert outcome is expected


def test_update_expression_actions(ddb: Any, table: str) -> None:
    put(ddb, n={"N": "1"}, l={"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}]}, s={"SS": ["x", "y"]},
        m={"M": {"k": {"S": "v"}}}, gone={"S": "bye"})
    result = update(ddb, "SET n = n + :two, l[1] = :B, m.k2 = :v, created = if_not_exists(created, :now), "
                         "l2 = list_append(:head, l) REMOVE gone, l[0] ADD s :z, tally :two",
                    {":two": {"N": "2"}, ":B": {"S": "B"}, ":v": {"S": "w"}, ":now": {"N": "100"},
                     ":head": {"L": [{"S": "h"}]}, ":z": {"SS": ["z"]}},
                    ReturnValues="ALL_NEW")["Attributes"]
    assert result["n"] == {"N": "3"}
    assert result["l"] == {"L": [{"S": "B"}, {"S": "c"}]}
    assert result["l2"] == {"L": [{"S": "h"}, {"S": "a"}, {"S": "b"}, {"S": "c"}]}
    assert result["m"] == {"M": {"k": {"S": "v"}, "k2": {"S": "w"}}}
    assert result["created"] == {"N": "100"} and result["tally"] == {"N": "2"}
    assert sorted(result["s"]["SS"]) == ["x", "y", "z"] and "gone" not in result
    # if_not_exists keeps what is there; DELETE of the last members removes the set
    update(ddb, "SET created = if_not_exists(created, :later) DELETE s :all",
           {":later": {"N": "200"}, ":all": {"SS": ["x", "y", "z"]}})
    item = get(ddb)
    assert item["created"] == {"N": "100"} and "s" not in item


def test_update_creates_the_item_and_return_values(ddb: Any, table: str) -> None:
    assert "Attributes" not in update(ddb, "SET a = :a", {":a": {"S": "1"}}, ReturnValues="UPDATED_OLD")
    assert update(ddb, "SET a = :a, b = :b", {":a": {"S": "2"}, ":b": {"S": "x"}},
                  ReturnValues="UPDATED_OLD")["Attributes"] == {"a": {"S": "1"}}
    assert update(ddb, "SET m = :m", {":m": {"M": {"x": {"N": "1"}}}},
                  ReturnValues="UPDATED_NEW")["Attributes"] == {"m": {"M": {"x": {"N": "1"}}}}
    assert update(ddb, "SET m.x = :y", {":y": {"N": "9"}},
                  ReturnValues="UPDATED_NEW")["Attributes"] == {"m": {"M": {"x": {"N": "9"}}}}
    assert get(ddb) == {**KEY, "a": {"S": "2"}, "b": {"S": "x"}, "m": {"M": {"x": {"N": "9"}}}}


@pytest.mark.parametrize("expression, values, names, message", [
    ("SET = :v", {":v": {"S": "x"}}, None, 'Invalid UpdateExpression: Syntax error; token: "=", near: "SET = :v"'),
    ("SET a = :v", {":v": {"S": "x"}, ":w": {"S": "y"}}, None,
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"),
    ("SET a = :v", {":v": {"S": "x"}}, {"#n": "x"},
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}"),
    ("SET a = :nope", {":v": {"S": "x"}}, None,
     "Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
     "attribute value: :nope"),
    ("SET #x = :v", {":v": {"S": "x"}}, None,
     "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; "
     "attribute name: #x"),
    ("SET name = :v", {":v": {"S": "x"}}, None,
     "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name"),
    ("SET a = :v, a = :v", {":v": {"S": "x"}}, None,
     "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these "
     "paths; path one: [a], path two: [a]"),
    ("SET a = :v SET b = :v", {":v": {"S": "x"}}, None,
     'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;'),
    ("SET pk = :v", {":v": {"S": "x"}}, None,
     "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"),
    ("SET a = :v + :v", {":v": {"S": "x"}}, None, "An operand in the update expression has an incorrect data type"),
    ("ADD a :v", {":v": {"S": "x"}}, None,
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING"),
    ("SET a = absent", None, None,
     "The provided expression refers to an attribute that does not exist in the item"),
    ("SET nope.deeper = :v", {":v": {"S": "x"}}, None,
     "The document path provided in the update expression is invalid for update"),
    ("SET a = foo(:v)", {":v": {"S": "x"}}, None, "Invalid UpdateExpression: Invalid function name; function: foo"),
    ("SET a = :v,", {":v": {"S": "x"}}, None,
     'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","'),
])
def test_update_expression_errors(ddb: Any, table: str, expression: str, values: Any, names: Any,
                                  message: str) -> None:
    put(ddb)
    kwargs: dict[str, Any] = {}
    if values is not None:
        kwargs["ExpressionAttributeValues"] = values
    if names is not None:
        kwargs["ExpressionAttributeNames"] = names
    assert fails(ddb.update_item, TableName="t", Key=KEY, UpdateExpression=expression, **kwargs) == (
        "ValidationException", message)


def test_condition_expression_errors(ddb: Any, table: str) -> None:
    assert fails(ddb.put_item, TableName="t", Item=KEY, ConditionExpression="begins_with(a, :n)",
                 ExpressionAttributeValues={":n": {"N": "1"}}) == (
        "ValidationException", "Invalid ConditionExpression: Incorrect operand type for operator or function; "
                               "operator or function: begins_with, operand type: N")
    assert fails(ddb.put_item, TableName="t", Item=KEY, ConditionExpression="a BETWEEN :b AND :a",
                 ExpressionAttributeValues={":a": {"N": "1"}, ":b": {"N": "5"}})[1].startswith(
        "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower")
    assert fails(ddb.put_item, TableName="t", Item=KEY, ConditionExpression="a = :a",
                 ExpressionAttributeValues={}) == ("ValidationException",
                                                   "ExpressionAttributeValues must not be empty")
    assert fails(ddb.put_item, TableName="t", Item=KEY, ExpressionAttributeValues={":a": {"S": "x"}}) == (
        "ValidationException", "ExpressionAttributeValues can only be specified when using expressions")
    assert fails(ddb.put_item, TableName="t", Item=KEY, ConditionExpression="attribute_type(a, :t)",
                 ExpressionAttributeValues={":t": {"S": "X"}})[1].startswith(
        "Invalid ConditionExpression: Invalid attribute type name found; type: X")


def test_projection(ddb: Any, table: str) -> None:
    put(ddb, a={"S": "1"}, m={"M": {"x": {"N": "1"}, "y": {"N": "2"}}}, l={"L": [{"S": "0"}, {"S": "1"}, {"S": "2"}]})
    assert get(ddb, ProjectionExpression="a, m.y, l[2], l[0]") == {
        "a": {"S": "1"}, "m": {"M": {"y": {"N": "2"}}}, "l": {"L": [{"S": "0"}, {"S": "2"}]}}
    assert get(ddb, AttributesToGet=["a", "missing"]) == {"a": {"S": "1"}}
    assert get(ddb, ProjectionExpression="#c", ExpressionAttributeNames={"#c": "comment"}) == {}


def test_legacy_expected_and_attribute_updates(ddb: Any, table: str) -> None:
    ddb.put_item(TableName="t", Item={**KEY, "v": {"N": "1"}}, Expected={"pk": {"Exists": False}})
    with pytest.raises(ClientError):
        ddb.put_item(TableName="t", Item=KEY, Expected={"v": {"Value": {"N": "2"}}})
    ddb.update_item(TableName="t", Key=KEY, AttributeUpdates={"v": {"Action": "ADD", "Value": {"N": "4"}},
                                                             "w": {"Action": "PUT", "Value": {"S": "x"}}},
                    Expected={"v": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "3"}]}})
    assert get(ddb) == {**KEY, "v": {"N": "5"}, "w": {"S": "x"}}
    assert fails(ddb.update_item, TableName="t", Key=KEY, UpdateExpression="SET a = :a",
                 AttributeUpdates={"b": {"Action": "DELETE"}}, ExpressionAttributeValues={":a": {"S": "1"}})[1] == (
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
        "{AttributeUpdates} Expression parameters: {UpdateExpression}")


def test_resource_api_with_condition_builders(aws: Harness, table: str) -> None:
    items = aws.resource("dynamodb").Table("t")
    items.put_item(Item={"pk": "a", "sk": "1", "price": Decimal("9.99"), "tags": {"x", "y"}, "data": b"\x00\xff"})
    items.update_item(Key={"pk": "a", "sk": "1"}, UpdateExpression="SET price = price + :p",
                      ConditionExpression=Attr("price").lt(10) & Attr("tags").contains("x"),
                      ExpressionAttributeValues={":p": Decimal("0.01")})
    item = items.get_item(Key={"pk": "a", "sk": "1"})["Item"]
    assert item["price"] == Decimal("10") and item["tags"] == {"x", "y"} and item["data"].value == b"\x00\xff"
    with pytest.raises(ClientError) as excinfo:
        items.delete_item(Key={"pk": "a", "sk": "1"}, ConditionExpression=Attr("price").lt(10))
    assert excinfo.value.response["Error"]["Code"] == "ConditionalCheckFailedException"


def test_placeholder_maps_are_checked(ddb: Any, table: str) -> None:
    assert fails(ddb.put_item, TableName="t", Item=KEY, ConditionExpression="attribute_exists(#a)",
                 ExpressionAttributeNames={"a": "a"}) == (
        "ValidationException", 'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"')
    assert fails(ddb.put_item, TableName="t", Item=KEY, ConditionExpression="a = :a",
                 ExpressionAttributeValues={":a": {"SS": []}}) == (
        "ValidationException", "ExpressionAttributeValues contains invalid value: One or more parameter values were "
                               "invalid: An string set  may not be empty for key :a")


def test_malformed_values_over_raw_http(aws: Harness, table: str) -> None:
    """A request no SDK would send (a number where a string goes) gets an AWS error, never a 500."""
    if aws.mode != "server":
        pytest.skip("raw HTTP needs the server")
    import json
    import urllib.error
    import urllib.request

    body = json.dumps({"TableName": "t", "Item": {"pk": {"S": 5}, "sk": {"S": "1"}}}).encode()
    request = urllib.request.Request(aws.http_url("/"), data=body, headers={
        "X-Amz-Target": "DynamoDB_20120810.PutItem", "Content-Type": "application/x-amz-json-1.0",
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/dynamodb/aws4_request, "
                         "SignedHeaders=host, Signature=x"})
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=10)
    assert excinfo.value.code == 400
    assert "SerializationException" in excinfo.value.read().decode()


def test_key_size_limits(ddb: Any, table: str) -> None:
    assert fails(ddb.put_item, TableName="t", Item={"pk": {"S": "x" * 2049}, "sk": {"S": "1"}}) == (
        "ValidationException", "One or more parameter values were invalid: Size of hashkey has exceeded the maximum "
                               "size limit of2048 bytes")
    assert fails(ddb.get_item, TableName="t", Key={"pk": {"S": "a"}, "sk": {"S": "x" * 1025}}) == (
        "ValidationException", "One or more parameter values were invalid: Aggregated size of all range keys has "
                               "exceeded the size limit of 1024 bytes")
    ddb.put_item(TableName="t", Item={"pk": {"S": "x" * 2048}, "sk": {"S": "y" * 1024}})


def test_legacy_add_appends_to_lists(ddb: Any, table: str) -> None:
    for _ in range(2):
        ddb.update_item(TableName="t", Key=KEY, AttributeUpdates={"l": {"Action": "ADD", "Value": {"L": [{"S": "x"}]}}})
    assert get(ddb)["l"] == {"L": [{"S": "x"}, {"S": "x"}]}
