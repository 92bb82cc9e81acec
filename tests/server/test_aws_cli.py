"""The AWS CLI (a different SDK build, its own endpoint handling) reaches the server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.harness import ServerHarness

AWS = Path(sys.executable).parent / "aws"


def aws_cli(server: ServerHarness, *args: str, access_key: str = "testing") -> dict[str, str]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
           "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_PAGER": ""}
    assert server.endpoint_url is not None
    result = subprocess.run([str(AWS), "--endpoint-url", server.endpoint_url, "--output", "json", *args],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_aws_cli_get_caller_identity(server: ServerHarness) -> None:
    assert aws_cli(server, "sts", "get-caller-identity") == {
        "UserId": "123456789012",
        "Account": "123456789012",
        "Arn": "arn:aws:iam::123456789012:root",
    }
    # A 12-digit access key id names the account it acts in.
    assert aws_cli(server, "sts", "get-caller-identity", access_key="111122223333")["Account"] == "111122223333"
