"""Emulator.call and Emulator.read_object: one service using another's API through the
pipeline, as the given account, without importing it."""

from __future__ import annotations

import pytest

from hoarfrost.core.emulator import Emulator, InternalCallError


def test_call_answers_parsed_output_as_the_given_account() -> None:
    emulator = Emulator()
    url = emulator.call("sqs", "CreateQueue", {"QueueName": "q"}, account="111122223333")["QueueUrl"]
    assert "/111122223333/q" in url
    emulator.call("sqs", "SendMessage", {"QueueUrl": url, "MessageBody": "hi"}, account="111122223333")
    messages = emulator.call("sqs", "ReceiveMessage", {"QueueUrl": url}, account="111122223333")["Messages"]
    assert [m["Body"] for m in messages] == ["hi"]
    assert emulator.call("sts", "GetCallerIdentity", {}, account="444455556666")["Account"] == "444455556666"
    emulator.call("s3", "CreateBucket", {"Bucket": "made-by-call"})
    assert [b["Name"] for b in emulator.call("s3", "ListBuckets", {})["Buckets"]] == ["made-by-call"]
    with pytest.raises(InternalCallError) as exc:
        emulator.call("sqs", "GetQueueUrl", {"QueueName": "missing"})
    assert exc.value.status == 400 and "NonExistentQueue" in exc.value.code


def test_call_parses_members_bound_to_headers() -> None:
    """Output members the model binds to headers (S3's ETag, Lambda Invoke's FunctionError)
    come back whatever the case of the response's header names."""
    emulator = Emulator()
    emulator.call("s3", "CreateBucket", {"Bucket": "headers"})
    out = emulator.call("s3", "PutObject", {"Bucket": "headers", "Key": "k", "Body": b"x"})
    assert out["ETag"] == '"9dd4e461268c8034f5c8564e155c67a6"'


def test_read_object_reads_s3_or_answers_none() -> None:
    import boto3

    import hoarfrost

    with hoarfrost.mock_aws() as emulator:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bucket")
        s3.put_object(Bucket="bucket", Key="dir/a b.txt", Body=b"payload")
        assert emulator.read_object("arn:aws:s3:::bucket/dir/a b.txt") == b"payload"
        assert emulator.read_object("arn:aws:s3:::bucket/missing") is None
        assert emulator.read_object("arn:aws:s3:::nobucket/x") is None
        with pytest.raises(ValueError):
            emulator.read_object("arn:aws:sqs:us-east-1:123456789012:q")
