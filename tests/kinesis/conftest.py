"""Kinesis fixtures: a boto3 client on the ``aws`` harness and helpers that read a shard."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Harness


@pytest.fixture
def kinesis(aws: Harness) -> Any:
    return aws.client("kinesis")


def make_stream(kinesis: Any, name: str = "events", shards: int = 1, **kwargs: Any) -> str:
    """Create a provisioned stream; answer its ARN."""
    kinesis.create_stream(StreamName=name, ShardCount=shards, **kwargs)
    return str(kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"])


def iterator(kinesis: Any, shard: str, kind: str = "TRIM_HORIZON", name: str = "events", **kwargs: Any) -> str:
    return str(kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType=kind,
                                          **kwargs)["ShardIterator"])


def read_shard(kinesis: Any, shard: str, name: str = "events", kind: str = "TRIM_HORIZON",
               **kwargs: Any) -> list[dict[str, Any]]:
    """Every record of ``shard`` from the iterator type given, following NextShardIterator until
    a call answers no records (or the closed shard ends)."""
    records: list[dict[str, Any]] = []
    position: str | None = iterator(kinesis, shard, kind, name, **kwargs)
    while position:
        page = kinesis.get_records(ShardIterator=position)
        records.extend(page["Records"])
        if not page["Records"]:
            break
        position = page.get("NextShardIterator")
    return records


def error_code(exc_info: pytest.ExceptionInfo[Any]) -> str:
    return str(exc_info.value.response["Error"]["Code"])


def error_message(exc_info: pytest.ExceptionInfo[Any]) -> str:
    return str(exc_info.value.response["Error"]["Message"])
