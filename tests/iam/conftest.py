"""IAM fixtures: boto3 clients on the ``aws`` harness, policy documents, and helpers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.harness import Harness

ACCOUNT = "123456789012"


@pytest.fixture
def iam(aws: Harness) -> Any:
    return aws.client("iam")


def error_of(excinfo: pytest.ExceptionInfo[Any]) -> tuple[str, str]:
    """(code, message) of a botocore ClientError."""
    error = excinfo.value.response["Error"]
    return str(error["Code"]), str(error["Message"])


def status_of(excinfo: pytest.ExceptionInfo[Any]) -> int:
    return int(excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"])


def allow(action: str | list[str] = "s3:*", resource: str | list[str] = "*", **extra: Any) -> str:
    """An identity policy allowing ``action`` on ``resource``."""
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource, **extra}]})


def deny(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Deny", "Action": action, "Resource": resource, **extra}]})


def trust(principal: dict[str, Any] | None = None, action: str = "sts:AssumeRole") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal or {"Service": "lambda.amazonaws.com"}, "Action": action}]})
