"""SQS fixtures: ``sqs`` is a boto3 client over json (boto3's default) or over query, for each
of the ``aws`` harness modes (in-process and server), so most tests run four ways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hoarfrost.core.clock import Clock
from tests.harness import Harness
from tests.sqs.query_model import query_client


@pytest.fixture(scope="session")
def query_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sqs-query-model")


@pytest.fixture(params=["json", "query"])
def protocol(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sqs(aws: Harness, protocol: str, query_model_dir: Path) -> Any:
    if protocol == "query":
        return query_client(aws, query_model_dir)
    client = aws.client("sqs")
    assert client.meta.service_model.protocol == "json"
    return client


@pytest.fixture
def sqs_json(aws: Harness) -> Any:
    """json only, for tests whose subject is not the wire format."""
    return aws.client("sqs")


@pytest.fixture
def fake_clock(aws: Harness) -> Clock:
    """The emulator's clock, which the test moves forward instead of sleeping."""
    return aws.emulator.clock


def code(excinfo: pytest.ExceptionInfo[Any]) -> str:
    """The error code a client sees: the query code on both protocols (json carries it in
    ``x-amzn-query-error``, which botocore prefers)."""
    return str(excinfo.value.response["Error"]["Code"])
