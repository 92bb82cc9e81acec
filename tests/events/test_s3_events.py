"""Events from S3: a bucket with EventBridge notifications enabled sends Object Created and
Object Deleted events to the default bus of its account and region."""

from __future__ import annotations

import json
from typing import Any

from tests.events.conftest import bodies, rule_to_queue
from tests.harness import Harness


def test_object_created_and_deleted_reach_a_rule(aws: Harness, events: Any, sqs: Any) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="photos")
    s3.put_object(Bucket="photos", Key="before.txt", Body=b"x")  # EventBridge not enabled yet
    s3.put_bucket_notification_configuration(Bucket="photos",
                                             NotificationConfiguration={"EventBridgeConfiguration": {}})
    assert "EventBridgeConfiguration" in s3.get_bucket_notification_configuration(Bucket="photos")
    url = rule_to_queue(events, sqs, "s3", {"source": ["aws.s3"], "detail": {"bucket": {"name": ["photos"]}}})
    s3.put_object(Bucket="photos", Key="a/cat.png", Body=b"meow")
    s3.delete_object(Bucket="photos", Key="a/cat.png")
    received = bodies(sqs, url)
    assert [e["detail-type"] for e in received] == ["Object Created", "Object Deleted"]
    created, deleted = received
    assert created["source"] == "aws.s3" and created["account"] == aws.account and created["region"] == aws.region
    assert created["resources"] == ["arn:aws:s3:::photos"]
    assert created["detail"]["object"]["key"] == "a/cat.png" and created["detail"]["object"]["size"] == 4
    assert created["detail"]["reason"] == "PutObject"
    assert deleted["detail"]["deletion-type"] == "Permanently Deleted"
    assert json.loads(json.dumps(created))["id"]
