"""Firehose fixtures: clients on the ``aws`` harness, a bucket, and helpers that make a
delivery stream to it and read what was delivered."""

from __future__ import annotations

import gzip
from typing import Any

import pytest

from tests.harness import Harness

ROLE = "arn:aws:iam::123456789012:role/firehose"
BUCKET = "delivery-bucket"


@pytest.fixture
def firehose(aws: Harness) -> Any:
    return aws.client("firehose")


@pytest.fixture
def s3(aws: Harness) -> Any:
    client = aws.client("s3")
    client.create_bucket(Bucket=BUCKET)
    return client


def destination(**settings: Any) -> dict[str, Any]:
    """An ExtendedS3DestinationConfiguration to the test bucket (``settings`` override)."""
    return {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{BUCKET}", **settings}


def make_stream(firehose: Any, name: str = "deliveries", **settings: Any) -> str:
    return str(firehose.create_delivery_stream(
        DeliveryStreamName=name, ExtendedS3DestinationConfiguration=destination(**settings))["DeliveryStreamARN"])


def keys(s3: Any, prefix: str = "") -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])]


def body(s3: Any, key: str) -> bytes:
    data: bytes = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return gzip.decompress(data) if key.endswith(".gz") else data


def error_code(exc_info: pytest.ExceptionInfo[Any]) -> str:
    return str(exc_info.value.response["Error"]["Code"])


def error_message(exc_info: pytest.ExceptionInfo[Any]) -> str:
    return str(exc_info.value.response["Error"]["Message"])
