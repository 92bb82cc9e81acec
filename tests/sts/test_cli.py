"""The AWS CLI against `hoarfrost serve`: a real SDK other than boto3's in-process path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sts.helpers import ROLE_ACCOUNT, ROLE_ARN

AWS_CLI = Path(sys.executable).parent / "aws"

pytestmark = pytest.mark.skipif(not AWS_CLI.exists(), reason="the AWS CLI is not installed in this environment")


def _aws(server, *args: str, **credentials: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_PAGER="")
    env.update(credentials)
    result = subprocess.run(
        [str(AWS_CLI), "--endpoint-url", server.endpoint_url, "--output", "json", *args],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_cli_get_caller_identity(server):
    assert _aws(server, "sts", "get-caller-identity") == {
        "UserId": "123456789012", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:root",
    }


def test_cli_assume_role_then_use_the_credentials(server):
    assumed = _aws(server, "sts", "assume-role", "--role-arn", ROLE_ARN, "--role-session-name", "cli")
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/deployer/cli"
    credentials = assumed["Credentials"]
    identity = _aws(server, "sts", "get-caller-identity", AWS_ACCESS_KEY_ID=credentials["AccessKeyId"],
                    AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
                    AWS_SESSION_TOKEN=credentials["SessionToken"])
    assert identity["Account"] == ROLE_ACCOUNT
    assert identity["Arn"] == assumed["AssumedRoleUser"]["Arn"]
