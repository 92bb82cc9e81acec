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


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_events_reach_a_topic(aws: Harness, s3: Any, bucket: str) -> None:
    sqs, sns = aws.client("sqs"), aws.client("sns")
    url, queue_arn = _queue(sqs, "from-topic")
    topic = sns.create_topic(Name="s3-events")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"TopicConfigurations": [
        {"TopicArn": topic, "Events": ["s3:ObjectCreated:Put"]}]})
    stored = s3.get_bucket_notification_configuration(Bucket=bucket)["TopicConfigurations"][0]
    assert stored["TopicArn"] == topic and stored["Id"]  # an Id is generated when omitted
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"abc")
    envelopes = _drain(sqs, url)
    assert [e["Subject"] for e in envelopes] == ["Amazon S3 Notification"] * 2
    assert json.loads(envelopes[0]["Message"])["Event"] == "s3:TestEvent"
    record = json.loads(envelopes[1]["Message"])["Records"][0]
    assert record["eventName"] == "ObjectCreated:Put" and record["s3"]["configurationId"] == stored["Id"]
    assert record["s3"]["object"]["key"] == "a.txt"


def test_one_test_event_per_destination(aws: Harness, s3: Any, bucket: str) -> None:
    sqs = aws.client("sqs")
    url, arn = _queue(sqs, "shared")
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
        {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}, {"QueueArn": arn, "Events": ["s3:ObjectRemoved:*"]}]})
    assert [m["Event"] for m in _drain(sqs, url)] == ["s3:TestEvent"]
    ids = [c["Id"] for c in s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]]
    assert len(set(ids)) == 2 and all(ids)


@pytest.mark.parametrize(("member", "arn_member", "arn", "message"), [
    ("QueueConfigurations", "QueueArn", "not-an-arn", "The ARN is not well formed"),
    ("TopicConfigurations", "TopicArn", "arn:aws:sqs:us-east-1:123456789012:a-queue", "The ARN is not well formed"),
    ("LambdaFunctionConfigurations", "LambdaFunctionArn", "arn:aws:lambda:us-east-1", "The ARN is not well formed"),
    ("QueueConfigurations", "QueueArn", "arn:aws:sqs:us-west-2:123456789012:far",
     "The notification destination service region is not valid for the bucket location constraint"),
])
def test_destination_arns_are_validated(s3: Any, bucket: str, member: str, arn_member: str, arn: str,
                                        message: str) -> None:
    config = {member: [{arn_member: arn, "Events": ["s3:ObjectCreated:*"]}]}
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config,
                                                 SkipDestinationValidation=True)
    assert code(excinfo) == "InvalidArgument" and excinfo.value.response["Error"]["Message"] == message


def test_unknown_events_and_topics_are_refused(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
            {"QueueArn": "arn:aws:sqs:us-east-1:123456789012:q", "Events": ["s3:ObjectEaten:*"]}]},
            SkipDestinationValidation=True)
    assert excinfo.value.response["Error"]["Message"] == "The event is not supported for notifications"
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"TopicConfigurations": [
            {"TopicArn": "arn:aws:sns:us-east-1:123456789012:missing", "Events": ["s3:ObjectCreated:*"]}]})
    assert excinfo.value.response["Error"]["Message"] == "Unable to validate the following destination configurations"


def test_filters_and_overlaps(s3: Any, bucket: str) -> None:
    arn = "arn:aws:sqs:us-east-1:123456789012:q"

    def put(*configurations: dict[str, Any]) -> None:
        s3.put_bucket_notification_configuration(Bucket=bucket, SkipDestinationValidation=True,
                                                 NotificationConfiguration={"QueueConfigurations": list(configurations)})

    def rules(*pairs: tuple[str, str]) -> dict[str, Any]:
        return {"Key": {"FilterRules": [{"Name": name, "Value": value} for name, value in pairs]}}

    put({"QueueArn": arn, "Events": ["s3:ObjectCreated:*"], "Filter": rules(("prefix", "a/"), ("SUFFIX", ".png"))})
    stored = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"][0]
    assert [r["Name"] for r in stored["Filter"]["Key"]["FilterRules"]] == ["Prefix", "Suffix"]
    for bad, message in (((("middle", "x"),), "filter rule name must be either prefix or suffix"),
                         ((("prefix", "a"), ("prefix", "b")), "Cannot specify more than one prefix rule in a filter.")):
        with pytest.raises(ClientError) as excinfo:
            put({"QueueArn": arn, "Events": ["s3:ObjectCreated:*"], "Filter": rules(*bad)})
        assert excinfo.value.response["Error"]["Message"] == message
    with pytest.raises(ClientError) as excinfo:
        put({"QueueArn": arn, "Events": ["s3:ObjectCreated:*"], "Filter": rules(("prefix", "logs/"))},
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:Put"], "Filter": rules(("prefix", "logs/2024/"))})
    assert excinfo.value.response["Error"]["Message"] == (
        "Configurations overlap. Configurations on the same bucket cannot share a common event type.")
    put({"QueueArn": arn, "Events": ["s3:ObjectCreated:*"], "Filter": rules(("prefix", "logs/"))},
        {"QueueArn": arn, "Events": ["s3:ObjectCreated:Put"], "Filter": rules(("prefix", "images/"))})
