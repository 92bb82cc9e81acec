"""KMS fixtures: a boto3 KMS client on the ``aws`` harness, and helpers to read errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Harness


@pytest.fixture
def kms(aws: Harness) -> Any:
    return aws.client("kms")


def error_code(exc_info: pytest.ExceptionInfo[Any]) -> str:
    return str(exc_info.value.response["Error"]["Code"])


def error_message(exc_info: pytest.ExceptionInfo[Any]) -> str:
    return str(exc_info.value.response["Error"]["Message"])


def make_key(kms: Any, **kwargs: Any) -> dict[str, Any]:
    """Create a key; answer its KeyMetadata."""
    return kms.create_key(**kwargs)["KeyMetadata"]  # type: ignore[no-any-return]
