"""SSM fixtures: a boto3 client on the ``aws`` harness and error helpers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Harness


@pytest.fixture
def ssm(aws: Harness) -> Any:
    return aws.client("ssm")


def code(exc_info: pytest.ExceptionInfo[Any]) -> str:
    return str(exc_info.value.response["Error"]["Code"])


def message(exc_info: pytest.ExceptionInfo[Any]) -> str:
    return str(exc_info.value.response["Error"]["Message"])
