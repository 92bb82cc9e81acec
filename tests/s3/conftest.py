"""S3 fixtures: ``s3`` is a boto3 client for the ``aws`` harness (in-process and over HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Harness


@pytest.fixture
def s3(aws: Harness) -> Any:
    return aws.client("s3")


@pytest.fixture
def bucket(s3: Any) -> str:
    s3.create_bucket(Bucket="test-bucket")
    return "test-bucket"


def code(excinfo: pytest.ExceptionInfo[Any]) -> str:
    return str(excinfo.value.response["Error"]["Code"])


def status(excinfo: pytest.ExceptionInfo[Any]) -> int:
    return int(excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"])
