"""The emulator's clock: tests move time instead of sleeping, in-process and over HTTP."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from hoarfrost.core.clock import Clock
from tests.harness import Harness


def test_clock_runs_with_real_time_and_only_moves_forward() -> None:
    clock = Clock()
    before = clock.time()
    clock.advance(3600)
    assert clock.offset == 3600
    assert clock.time() - before >= 3600
    assert (clock.now().timestamp() - before) >= 3600
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            clock.advance(bad)
    assert clock.offset == 3600


def test_advance_makes_an_in_flight_message_visible_again(aws: Harness) -> None:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="clocked", Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    first = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    aws.emulator.clock.advance(301)
    again = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert again["MessageId"] == first["MessageId"]
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"


def test_advance_delivers_a_delayed_message_to_a_waiting_long_poll(aws: Harness) -> None:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="delayed")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=900)
    got: list[Any] = []
    poller = threading.Thread(target=lambda: got.append(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)))
    poller.start()
    aws.emulator.clock.advance(901)  # wakes the poll, which finds the message due
    poller.join(timeout=30)
    assert not poller.is_alive()
    assert [m["Body"] for m in got[0].get("Messages", [])] == ["later"]


def test_server_exposes_the_clock(server: Harness) -> None:
    url = f"{server.endpoint_url}/_hoarfrost/clock"
    before = requests.get(url, timeout=10).json()
    moved = requests.post(url, json={"advance": 120}, timeout=10).json()
    assert moved["offset"] == pytest.approx(before["offset"] + 120)
    assert server.emulator.clock.offset == moved["offset"]
    refused = requests.post(url, json={"advance": -5}, timeout=10)
    assert refused.status_code == 400 and refused.json()["error"] == "InvalidClockRequest"
    assert requests.post(url, data=b"nonsense", timeout=10).status_code == 400
    assert server.emulator.clock.offset == moved["offset"]
