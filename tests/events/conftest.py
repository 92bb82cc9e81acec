"""EventBridge fixtures: boto3 clients on the ``aws`` harness, queues to deliver into, and
helpers that read what arrived."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.harness import Harness


@pytest.fixture
def events(aws: Harness) -> Any:
    return aws.client("events")


@pytest.fixture
def sqs(aws: Harness) -> Any:
    return aws.client("sqs")


def make_queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    """Create a queue; answer (url, arn)."""
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Every message now in the queue (deleted as read)."""
    messages: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def bodies(sqs: Any, url: str) -> list[Any]:
    return [json.loads(message["Body"]) for message in drain(sqs, url)]


def rule_to_queue(events: Any, sqs: Any, name: str, pattern: dict[str, Any], queue: str = "inbox",
                  **target: Any) -> str:
    """A rule with ``pattern`` whose one target is a new queue; answers the queue's URL."""
    url, arn = make_queue(sqs, queue)
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn, **target}])
    return url


def entry(detail: dict[str, Any] | None = None, **members: Any) -> dict[str, Any]:
    return {"Source": "my.app", "DetailType": "Order Placed", "Detail": json.dumps(detail or {"n": 1}), **members}


def error_code(exc_info: pytest.ExceptionInfo[Any]) -> str:
    return str(exc_info.value.response["Error"]["Code"])


def error_message(exc_info: pytest.ExceptionInfo[Any]) -> str:
    return str(exc_info.value.response["Error"]["Message"])
