"""Long polling: a waiting ReceiveMessage returns as soon as a message arrives, and waiting
never blocks other requests."""

from __future__ import annotations

import threading
import time
from typing import Any

from hoarfrost.core.ports import Message
from tests.harness import Harness

WAIT = 10


def _receive_in_thread(aws: Harness, url: str, **kwargs: Any) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        client = aws.client("sqs")
        started = time.monotonic()
        try:
            outcome["response"] = client.receive_message(QueueUrl=url, **kwargs)
        except BaseException as error:
            outcome["error"] = error
        outcome["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_wait_returns_when_a_message_arrives(aws: Harness) -> None:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="poll")["QueueUrl"]
    thread, outcome = _receive_in_thread(aws, url, WaitTimeSeconds=WAIT)
    time.sleep(0.3)
    assert thread.is_alive()  # it is waiting, and this thread can still talk to hoarfrost
    sqs.create_queue(QueueName="unrelated")
    sqs.send_message(QueueUrl=url, MessageBody="wake up")
    thread.join(timeout=WAIT + 5)
    assert "error" not in outcome
    assert [m["Body"] for m in outcome["response"]["Messages"]] == ["wake up"]
    assert outcome["elapsed"] < WAIT / 2


def test_queue_default_wait_time_and_delivery_from_another_service(aws: Harness) -> None:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="poll", Attributes={"ReceiveMessageWaitTimeSeconds": str(WAIT)})["QueueUrl"]
    thread, outcome = _receive_in_thread(aws, url)
    time.sleep(0.3)
    assert thread.is_alive()
    aws.emulator.deliver(f"arn:aws:sqs:{aws.region}:{aws.account}:poll", Message("from sns"))
    thread.join(timeout=WAIT + 5)
    assert [m["Body"] for m in outcome["response"]["Messages"]] == ["from sns"]
    assert outcome["elapsed"] < WAIT / 2


def test_wait_ends_empty_after_the_wait_time(aws: Harness) -> None:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="poll")["QueueUrl"]
    started = time.monotonic()
    response = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    assert response.get("Messages", []) == []
    assert time.monotonic() - started >= 0.9
