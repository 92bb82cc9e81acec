"""Lambda fixtures: clients on the ``aws`` harness, zips built from source text, and a helper
that creates a function and answers its ARN."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from tests.harness import Harness

ROLE = "arn:aws:iam::123456789012:role/lambda-role"


@pytest.fixture
def lam(aws: Harness) -> Any:
    return aws.client("lambda")


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def python_zip(source: str, module: str = "app") -> bytes:
    return zip_of({f"{module}.py": source})


def create(lam: Any, name: str, source: str, handler: str = "app.handler", **kwargs: Any) -> str:
    kwargs.setdefault("Runtime", "python3.12")
    kwargs.setdefault("Role", ROLE)
    kwargs.setdefault("Timeout", 5)
    return str(lam.create_function(FunctionName=name, Handler=handler, Code={"ZipFile": python_zip(source)},
                                   **kwargs)["FunctionArn"])


def code(exc_info: pytest.ExceptionInfo[Any]) -> str:
    return str(exc_info.value.response["Error"]["Code"])


def message(exc_info: pytest.ExceptionInfo[Any]) -> str:
    return str(exc_info.value.response["Error"]["Message"])
