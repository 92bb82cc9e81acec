"""mock_aws(), the in-process front door: which clients it answers, and what each block starts with."""

from __future__ import annotations

import os
import socket

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

import hoarfrost
from hoarfrost import Emulator


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_client_created_before_the_block_is_answered_inside_it() -> None:
    sqs = boto3.client("sqs", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    with hoarfrost.mock_aws() as aws:
        url = sqs.create_queue(QueueName="early")["QueueUrl"]
        assert url.endswith("/123456789012/early")
        assert [q.url for q in boto3.resource("sqs", region_name="us-east-1").queues.all()] == [url]
        assert aws.service("sqs").snapshot("123456789012", "us-east-1").queues


def test_after_the_block_requests_go_to_the_network_again() -> None:
    url = _closed_port_url()
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=url, aws_access_key_id="a",
                       aws_secret_access_key="b", config=Config(retries={"total_max_attempts": 1}))
    with hoarfrost.mock_aws():
        assert sts.get_caller_identity()["Account"] == "123456789012"
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        sts.get_caller_identity()


def test_decorator_form_and_fresh_state_per_block() -> None:
    @hoarfrost.mock_aws()
    def make_queue(name: str) -> list[str]:
        sqs = boto3.client("sqs", region_name="us-east-1")
        sqs.create_queue(QueueName=name)
        return sqs.list_queues().get("QueueUrls", [])

    assert [u.rsplit("/", 1)[1] for u in make_queue("one")] == ["one"]
    assert [u.rsplit("/", 1)[1] for u in make_queue("two")] == ["two"]  # "one" is gone


def test_keep_state_and_a_shared_emulator() -> None:
    emulator = Emulator()
    with hoarfrost.mock_aws(emulator) as aws:
        assert aws is emulator
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="kept")
    with hoarfrost.mock_aws(emulator, keep_state=True):
        assert len(boto3.client("sqs", region_name="us-east-1").list_queues()["QueueUrls"]) == 1
    with hoarfrost.mock_aws(emulator):  # without keep_state the block starts empty
        assert "QueueUrls" not in boto3.client("sqs", region_name="us-east-1").list_queues()


def test_nested_blocks_answer_from_the_innermost_emulator() -> None:
    with hoarfrost.mock_aws() as outer:
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="outer")
        with hoarfrost.mock_aws() as inner:
            assert inner is not outer
            assert "QueueUrls" not in boto3.client("sqs", region_name="us-east-1").list_queues()
        assert len(boto3.client("sqs", region_name="us-east-1").list_queues()["QueueUrls"]) == 1


def test_fake_credentials_only_when_none_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with hoarfrost.mock_aws():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"  # a set value is left alone
        assert boto3.client("sts").get_caller_identity()["Account"] == "123456789012"
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"


def test_unimplemented_operation_answers_not_implemented() -> None:
    with hoarfrost.mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        with pytest.raises(botocore.exceptions.ClientError) as info:
            # not resource CRUD: neither handwritten nor the engine's
            dynamodb.describe_kinesis_streaming_destination(TableName="t")
    error = info.value.response
    assert error["Error"]["Code"] == "NotImplemented"
    assert "DescribeKinesisStreamingDestination" in error["Error"]["Message"] and "dynamodb" in error["Error"]["Message"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_malformed_input_gets_the_services_validation_error() -> None:
    with hoarfrost.mock_aws():
        sts = boto3.client("sts", region_name="us-east-1", config=Config(parameter_validation=False))
        with pytest.raises(botocore.exceptions.ClientError) as info:
            sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/r")  # RoleSessionName missing
    assert info.value.response["Error"]["Code"] == "ValidationError"
    assert "'roleSessionName'" in info.value.response["Error"]["Message"]
