"""Logs fixtures: a boto3 client on the ``aws`` harness and helpers for error codes and times."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Harness


@pytest.fixture
def logs(aws: Harness) -> Any:
    return aws.client("logs")


def code(exc_info: pytest.ExceptionInfo[Any]) -> str:
    return str(exc_info.value.response["Error"]["Code"])


def message(exc_info: pytest.ExceptionInfo[Any]) -> str:
    return str(exc_info.value.response["Error"]["Message"])


def now_ms(aws: Harness) -> int:
    return aws.emulator.clock.millis()
