"""The expression language beyond single operations: precedence, nested paths, list indexes,
placeholders, and the parser's messages (tested through UpdateItem / PutItem)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.dynamodb.conftest import error

KEY = {"pk": {"S": "a"}, "sk": {"S": "1"}}


def holds(ddb: Any, condition: str, values: dict[str, Any], names: dict[str, str] | None = None) -> bool:
    kwargs: dict[str, Any] = {"ExpressionAttributeValues": values}
    if names:
        kwargs["ExpressionAttributeNames"] = names
    try:
        ddb.update_item(TableName="t", Key=KEY, UpdateExpression="SET touched = :t", ConditionExpression=condition,
                        **{**kwargs, "ExpressionAttributeValues": {**values, ":t": {"BOOL": True}}})
        return True
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "ConditionalCheckFailedException", exc.response["Error"]
        return False


@pytest.fixture
def item(ddb: Any, table: str) -> None:
    ddb.put_item(TableName="t", Item={**KEY, "a": {"N": "1"}, "b": {"N": "2"}, "c": {"N": "3"},
                                      "my-attr": {"S": "dash"}, "doc": {"M": {"list": {"L": [
                                          {"M": {"x": {"S": "deep"}}}, {"N": "7"}]}}}})


ONE, TWO, NINE = {"N": "1"}, {"N": "2"}, {"N": "9"}


def test_precedence(ddb: Any, item: None) -> None:
    # AND binds tighter than OR; NOT tighter than AND
    assert holds(ddb, "a = :one OR b = :nine AND c = :nine", {":one": ONE, ":nine": NINE})
    assert not holds(ddb, "(a = :one OR b = :nine) AND c = :nine", {":one": ONE, ":nine": NINE})
    assert holds(ddb, "NOT a = :nine AND b = :two", {":nine": NINE, ":two": TWO})
    assert not holds(ddb, "NOT (a = :one AND b = :two)", {":one": ONE, ":two": TWO})
    assert holds(ddb, "((a = :one))", {":one": ONE})


def test_nested_paths_and_names(ddb: Any, item: None) -> None:
    assert holds(ddb, "doc.#l[0].x = :deep", {":deep": {"S": "deep"}}, {"#l": "list"})
    assert holds(ddb, "doc.#l[1] = :seven", {":seven": {"N": "7"}}, {"#l": "list"})
    assert holds(ddb, "size(doc.#l) = :two", {":two": TWO}, {"#l": "list"})
    assert holds(ddb, "#d = :dash", {":dash": {"S": "dash"}}, {"#d": "my-attr"})
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName="t", Item=KEY, ConditionExpression="my-attr = :dash",
                     ExpressionAttributeValues={":dash": {"S": "dash"}})
    assert error(excinfo) == ("ValidationException",
                              'Invalid ConditionExpression: Syntax error; token: "-", near: "my-attr"')


def test_remove_several_list_elements(ddb: Any, table: str) -> None:
    ddb.put_item(TableName="t", Item={**KEY, "l": {"L": [{"N": str(i)} for i in range(5)]}})
    ddb.update_item(TableName="t", Key=KEY, UpdateExpression="REMOVE l[0], l[2], l[9]")
    assert ddb.get_item(TableName="t", Key=KEY)["Item"]["l"] == {"L": [{"N": "1"}, {"N": "3"}, {"N": "4"}]}


@pytest.mark.parametrize("condition, message", [
    ("a = ", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "= "'),
    ("a == :one", 'Invalid ConditionExpression: Syntax error; token: "=", near: "== :one"'),
    ("foo(a)", "Invalid ConditionExpression: Invalid function name; function: foo"),
    ("begins_with(a)", "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
                       "operator or function: begins_with, number of operands: 1"),
    ("attribute_exists(:one)", "Invalid ConditionExpression: Operator or function requires a document path; "
                               "operator or function: attribute_exists"),
    ("size(a)", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; "
                "function: size"),
    ("a = if_not_exists(a, :one)", "Invalid ConditionExpression: The function is not allowed in a condition "
                                   "expression; function: if_not_exists"),
    ("a < :list", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or "
                  "function: <, operand type: L"),
])
def test_condition_syntax_errors(ddb: Any, item: None, condition: str, message: str) -> None:
    values = {":one": ONE, ":list": {"L": []}}
    used = {k: v for k, v in values.items() if k in condition}
    kwargs: dict[str, Any] = {"ExpressionAttributeValues": used} if used else {}
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName="t", Item=KEY, ConditionExpression=condition, **kwargs)
    assert error(excinfo) == ("ValidationException", message)


def test_one_parse_serves_every_request(ddb: Any, item: None) -> None:
    from hoarfrost.services.dynamodb.expressions.parser import parse

    parse.cache_clear()
    for value in range(5):
        ddb.update_item(TableName="t", Key=KEY, UpdateExpression="SET a = :v",
                        ExpressionAttributeValues={":v": {"N": str(value)}})
    info = parse.cache_info()
    if info.currsize:  # in-process: the same interpreter parsed it once
        assert info.misses == 1 and info.hits == 4
    assert ddb.get_item(TableName="t", Key=KEY)["Item"]["a"] == {"N": "4"}
