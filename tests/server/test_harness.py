"""The shared ``aws`` harness keeps its promises to every test folder."""

from __future__ import annotations

import pytest

from tests.harness import Harness, ServerHarness


def test_both_modes_answer_the_same_client_calls(aws: Harness) -> None:
    identity = aws.client("sts").get_caller_identity()

    assert identity["Account"] == aws.account == "123456789012"
    assert aws.region == "us-east-1"
    if aws.mode == "inprocess":
        assert aws.endpoint_url is None
        with pytest.raises(RuntimeError):
            aws.http_url("/")
    else:
        assert aws.mode == "server"
        assert aws.endpoint_url is not None and aws.endpoint_url.startswith("http://127.0.0.1:")
        assert aws.http_url("_hoarfrost/health") == f"{aws.endpoint_url}/_hoarfrost/health"


def test_resources_and_explicit_credentials(aws: Harness) -> None:
    bucket = aws.resource("s3").create_bucket(Bucket="harness-bucket")
    assert [b.name for b in aws.resource("s3").buckets.all()] == [bucket.name]

    other = aws.client("sts", aws_access_key_id="111122223333", aws_secret_access_key="x")
    assert other.get_caller_identity()["Account"] == "111122223333"


def test_each_server_test_starts_empty(server: ServerHarness) -> None:
    server.client("sqs").create_queue(QueueName="leftover")

    with ServerHarness(server.server) as next_test:
        assert next_test.client("sqs").list_queues().get("QueueUrls", []) == []
