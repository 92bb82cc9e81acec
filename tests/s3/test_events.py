"""Event notifications into SQS: test event, created/removed/tagging records, filters, validation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.s3.conftest import code


def _drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    bodies = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_events_reach_the_queue(aws: Harness, s3: Any, bucket: str) -> None:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="s3-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
        {"Id": "images", "QueueArn": arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"],
         "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "img/"},
                                            {"Name": "suffix", "Value": ".png"}]}}},
    ]})
    assert [m["Event"] for m in _drain(sqs, url)] == ["s3:TestEvent"]
    etag = s3.put_object(Bucket=bucket, Key="img/a b.png", Body=b"png")["ETag"]
    s3.put_object(Bucket=bucket, Key="img/skip.jpg", Body=b"jpg")  # filtered out by suffix
    s3.put_object(Bucket=bucket, Key="doc/c.png", Body=b"png")  # filtered out by prefix
    s3.copy_object(Bucket=bucket, Key="img/copy.png", CopySource=f"{bucket}/img/a b.png")
    s3.delete_object(Bucket=bucket, Key="img/copy.png")
    s3.put_object_tagging(Bucket=bucket, Key="img/a b.png", Tagging={"TagSet": []})  # not subscribed
    records = [r for m in _drain(sqs, url) for r in m["Records"]]
    assert [(r["eventName"], r["s3"]["object"]["key"]) for r in records] == [
        ("ObjectCreated:Put", "img/a+b.png"), ("ObjectCreated:Copy", "img/copy.png"),
        ("ObjectRemoved:Delete", "img/copy.png")]
    first = records[0]
    assert first["eventSource"] == "aws:s3" and first["awsRegion"] == "us-east-1"
    assert first["s3"]["bucket"]["name"] == bucket and first["s3"]["configurationId"] == "images"
    assert first["s3"]["object"]["size"] == 3 and first["s3"]["object"]["eTag"] == etag.strip('"')


def test_unknown_queue_is_refused_unless_skipped(s3: Any, bucket: str) -> None:
    config = {"QueueConfigurations": [{"QueueArn": "arn:aws:sqs:us-east-1:123456789012:missing",
                                       "Events": ["s3:ObjectCreated:*"]}]}
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    assert code(excinfo) == "InvalidArgument"
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config,
                                             SkipDestinationValidation=True)
    # Delivery to a missing queue is dropped; the write itself succeeds.
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"]
