"""The AWS CLI's high-level ``s3`` commands and ``s3api`` against the server (a real subprocess)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.harness import ServerHarness

AWS = Path(sys.executable).parent / "aws"


def aws_cli(server: ServerHarness, *args: str) -> str:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
           "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_PAGER": ""}
    assert server.endpoint_url is not None
    result = subprocess.run([str(AWS), "--endpoint-url", server.endpoint_url, "--output", "json", *args],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_cli_cp_ls_sync(server: ServerHarness, tmp_path: Path) -> None:
    aws_cli(server, "s3", "mb", "s3://cli-bucket")
    source = tmp_path / "src"
    (source / "nested").mkdir(parents=True)
    (source / "a.txt").write_bytes(b"alpha")
    (source / "nested" / "b.bin").write_bytes(os.urandom(9 * 1024 * 1024))  # multipart in the CLI
    aws_cli(server, "s3", "cp", str(source / "a.txt"), "s3://cli-bucket/a.txt")
    listing = aws_cli(server, "s3", "ls", "s3://cli-bucket/")
    assert "a.txt" in listing and listing.split()[-2] == "5"
    aws_cli(server, "s3", "sync", str(source), "s3://cli-bucket/synced")
    keys = json.loads(aws_cli(server, "s3api", "list-objects-v2", "--bucket", "cli-bucket"))["Contents"]
    assert sorted(k["Key"] for k in keys) == ["a.txt", "synced/a.txt", "synced/nested/b.bin"]
    big = next(k for k in keys if k["Key"] == "synced/nested/b.bin")
    assert big["Size"] == 9 * 1024 * 1024 and big["ETag"].endswith('-2"')  # the CLI uploaded in 8 MiB parts
    target = tmp_path / "dst"
    aws_cli(server, "s3", "sync", "s3://cli-bucket/synced", str(target))
    assert (target / "a.txt").read_bytes() == b"alpha"
    assert (target / "nested" / "b.bin").read_bytes() == (source / "nested" / "b.bin").read_bytes()
    # A second sync finds nothing to do.
    assert aws_cli(server, "s3", "sync", str(source), "s3://cli-bucket/synced") == ""
    aws_cli(server, "s3", "rm", "--recursive", "s3://cli-bucket/synced")
    remaining = json.loads(aws_cli(server, "s3api", "list-objects-v2", "--bucket", "cli-bucket"))["Contents"]
    assert [k["Key"] for k in remaining] == ["a.txt"]


def test_cli_s3api_object_round_trip(server: ServerHarness, tmp_path: Path) -> None:
    aws_cli(server, "s3api", "create-bucket", "--bucket", "api-bucket")
    body = tmp_path / "body"
    body.write_bytes(b"s3api body")
    put = json.loads(aws_cli(server, "s3api", "put-object", "--bucket", "api-bucket", "--key", "k",
                             "--body", str(body), "--metadata", "owner=cli"))
    assert put["ETag"] == f'"{hashlib.md5(b"s3api body").hexdigest()}"'
    out = tmp_path / "out"
    head = json.loads(aws_cli(server, "s3api", "get-object", "--bucket", "api-bucket", "--key", "k", str(out)))
    assert out.read_bytes() == b"s3api body" and head["Metadata"] == {"owner": "cli"}
    assert head["ContentLength"] == 10
