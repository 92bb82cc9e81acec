"""DynamoDB fixtures: a client for each harness mode, and tables most tests start from."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Harness


@pytest.fixture
def ddb(aws: Harness) -> Any:
    return aws.client("dynamodb")


def make_table(ddb: Any, name: str = "t", *, range_type: str | None = "S", **extra: Any) -> dict[str, Any]:
    """A PAY_PER_REQUEST table with key pk (S) and, unless ``range_type`` is None, sk."""
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    definitions = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_type is not None:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        definitions.append({"AttributeName": "sk", "AttributeType": range_type})
    definitions += extra.pop("extra_definitions", [])
    return ddb.create_table(TableName=name, KeySchema=keys, AttributeDefinitions=definitions,
                            BillingMode="PAY_PER_REQUEST", **extra)["TableDescription"]


@pytest.fixture
def table(ddb: Any) -> str:
    make_table(ddb)
    return "t"


def error(excinfo: pytest.ExceptionInfo[Any]) -> tuple[str, str]:
    """(code, message) of a botocore ClientError."""
    err = excinfo.value.response["Error"]
    return str(err["Code"]), str(err["Message"])
