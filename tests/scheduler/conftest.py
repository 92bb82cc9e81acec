"""Scheduler fixtures: boto3 clients on the ``aws`` harness, a queue maker, and a reader that
drains a queue."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Harness

ROLE = "arn:aws:iam::123456789012:role/scheduler"


@pytest.fixture
def scheduler(aws: Harness) -> Any:
    return aws.client("scheduler")


@pytest.fixture
def sqs(aws: Harness) -> Any:
    return aws.client("sqs")


def make_queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    """Create a queue; answer (url, arn)."""
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Every message now in the queue, deleted as read, in the order received."""
    messages: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                                    AttributeNames=["All"]).get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def bodies(sqs: Any, url: str) -> list[str]:
    return [message["Body"] for message in drain(sqs, url)]


def target(arn: str, **members: Any) -> dict[str, Any]:
    return {"Arn": arn, "RoleArn": ROLE, **members}


def error_of(exc_info: pytest.ExceptionInfo[Any]) -> tuple[str, str]:
    error = exc_info.value.response["Error"]
    return str(error["Code"]), str(error["Message"])
