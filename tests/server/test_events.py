"""``GET /_hoarfrost/events``: the live event stream, read with requests as a client would."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import requests

from tests.harness import ServerHarness


class Stream:
    """One SSE client: ``next_event()`` parses the stream as it arrives."""

    def __init__(self, server: ServerHarness, query: str = "") -> None:
        self.response = requests.get(server.http_url("/_hoarfrost/events" + query), stream=True, timeout=30)
        assert self.response.status_code == 200
        assert self.response.headers["content-type"].startswith("text/event-stream")
        self._events = self._parse(self.response.iter_content(chunk_size=None))

    @staticmethod
    def _parse(chunks: Iterator[bytes]) -> Iterator[dict[str, Any]]:
        buffer = b""
        for chunk in chunks:
            buffer += chunk
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                fields = dict(line.split(": ", 1) for line in block.decode().split("\n") if not line.startswith(":"))
                if fields:
                    yield {"event": fields["event"], "id": fields.get("id"), "data": json.loads(fields["data"])}

    def next_event(self) -> dict[str, Any]:
        return next(self._events)

    def take(self, count: int) -> list[dict[str, Any]]:
        return [self.next_event() for _ in range(count)]

    def rest(self) -> list[dict[str, Any]]:
        """Every event until the server ends the stream."""
        return list(self._events)

    def close(self) -> None:
        self.response.close()


def test_every_change_arrives_in_order_with_its_request_id(server: ServerHarness) -> None:
    stream = Stream(server, "?service=sqs")  # SQS's sends also emit CloudWatch metrics
    try:
        sqs = server.client("sqs")
        calls = []
        created = sqs.create_queue(QueueName="watched")
        calls.append(("CreateQueue", created))
        url = created["QueueUrl"]
        for n in range(3):
            calls.append(("SendMessage", sqs.send_message(QueueUrl=url, MessageBody=f"m{n}")))
        sqs.get_queue_url(QueueName="watched")  # reads are not changes
        calls.append(("SetQueueAttributes", sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "5"})))
        advanced = requests.post(server.http_url("/_hoarfrost/clock"), json={"advance": 90}).json()
        calls.append(("DeleteQueue", sqs.delete_queue(QueueUrl=url)))

        events = stream.take(len(calls) + 1)
    finally:
        stream.close()
    changes = [event for event in events if event["event"] == "change"]
    assert [change["data"]["operation"] for change in changes] == [operation for operation, _ in calls]
    assert [change["data"]["request_id"] for change in changes] == \
        [answer["ResponseMetadata"]["RequestId"] for _, answer in calls]
    assert {(c["data"]["service"], c["data"]["account"], c["data"]["region"]) for c in changes} == \
        {("sqs", server.account, server.region)}
    assert all("view" not in change["data"] for change in changes)
    seqs = [event["data"]["seq"] for event in events]
    assert seqs == list(range(seqs[0], seqs[0] + len(events)))
    assert [int(event["id"]) for event in events] == seqs
    clock = [event for event in events if event["event"] == "clock"]
    assert len(clock) == 1 and events.index(clock[0]) == len(calls) - 1  # between SetQueueAttributes and DeleteQueue
    assert clock[0]["data"]["offset"] == advanced["offset"] >= 90


def test_a_client_may_listen_to_some_services_only(server: ServerHarness) -> None:
    everything, queues = Stream(server), Stream(server, "?service=sqs,sns")
    try:
        sqs = server.client("sqs")
        url = sqs.create_queue(QueueName="filtered")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="m")  # SQS emits its AWS/SQS metrics to CloudWatch
        server.client("sns").create_topic(Name="filtered")
        heard_all = [everything.next_event()["data"] for _ in range(4)]
        heard_queues = [queues.next_event()["data"] for _ in range(3)]
    finally:
        everything.close()
        queues.close()
    assert {(e["service"], e["operation"]) for e in heard_all} == {
        ("sqs", "CreateQueue"), ("sqs", "SendMessage"), ("cloudwatch", "EmittedMetrics"), ("sns", "CreateTopic")}
    assert [(e["service"], e["operation"]) for e in heard_queues] == [
        ("sqs", "CreateQueue"), ("sqs", "SendMessage"), ("sns", "CreateTopic")]


def test_views_only_for_clients_that_ask_and_every_client_hears(server: ServerHarness) -> None:
    plain, with_views = Stream(server), Stream(server, "?views=1")
    try:
        server.client("sns").create_topic(Name="news")
        seen_plain, seen_views = plain.next_event(), with_views.next_event()
    finally:
        plain.close()
        with_views.close()
    assert seen_plain["data"]["seq"] == seen_views["data"]["seq"]
    assert "view" not in seen_plain["data"]
    view = seen_views["data"]["view"]
    assert view["account"] == server.account and view["region"] == server.region
    assert [topic["name"] for topic in view["topics"]] == ["news"]
    assert {key: value for key, value in seen_views["data"].items() if key != "view"} == seen_plain["data"]


def test_a_client_that_does_not_read_is_dropped_and_writes_go_on(server: ServerHarness) -> None:
    """The stalled client asks for views (each carries every message body so far) so its socket
    fills within a few requests; then its two-event buffer; then it is dropped. Writes never wait
    for it: the loop below would hang, not pass, if they did."""
    events = server.server.app.events
    dropped_before = events.dropped
    stalled = Stream(server, "?views=1&buffer=2&service=sqs")
    reader = Stream(server, "?service=sqs")
    try:
        sqs = server.client("sqs")
        url = sqs.create_queue(QueueName="big")["QueueUrl"]
        sent = 1
        while events.dropped == dropped_before:
            assert sent < 200, "the stalled client was never dropped"
            sqs.send_message(QueueUrl=url, MessageBody="x" * 250_000)
            sent += 1
        sqs.delete_queue(QueueUrl=url)
        sent += 1
        heard = reader.take(sent)
        last = stalled.rest()
    finally:
        stalled.close()
        reader.close()
    # The reading client missed nothing, in order.
    assert [event["data"]["operation"] for event in heard] == ["CreateQueue"] + ["SendMessage"] * (sent - 2) + \
        ["DeleteQueue"]
    seqs = [event["data"]["seq"] for event in heard]
    assert seqs == sorted(set(seqs))  # increasing; the gaps are other services' changes
    # The stalled one got an unbroken prefix, then the reason, then the end of the stream.
    assert last[-1]["event"] == "dropped"
    delivered = [event["data"]["seq"] for event in last[:-1]]
    assert delivered == seqs[: len(delivered)] and len(delivered) < sent
    assert last[-1]["data"] == {"reason": "buffer full", "buffer": 2, "last_seq": delivered[-1]}


def _settled(events: Any) -> None:
    """Wait (bounded) until the server noticed every earlier client leave: it does so on its own loop."""
    for _ in range(2000):
        if events.clients == 0 and events._unsubscribe is None:
            return
        time.sleep(0.005)
    raise AssertionError("the event stream kept its subscriptions after every client left")


def test_the_last_client_to_leave_takes_the_subscriptions_with_it(server: ServerHarness) -> None:
    events = server.server.app.events
    _settled(events)  # clients of earlier tests
    stream = Stream(server)
    server.client("sqs").create_queue(QueueName="q")
    assert stream.next_event()["data"]["operation"] == "CreateQueue"
    sqs = server.emulator.service("sqs")
    assert events._on_change in sqs.notifier.listeners and events._on_clock in server.emulator.clock._listeners
    stream.close()
    _settled(events)
    assert events._on_change not in sqs.notifier.listeners
    assert events._on_clock not in server.emulator.clock._listeners


def test_a_reset_that_puts_the_clock_back_is_a_clock_event(server: ServerHarness) -> None:
    stream = Stream(server)
    try:
        requests.post(server.http_url("/_hoarfrost/clock"), json={"advance": 600}).raise_for_status()
        requests.delete(server.http_url("/_hoarfrost/state")).raise_for_status()
        requests.delete(server.http_url("/_hoarfrost/state")).raise_for_status()  # already real time: no event
        server.client("sqs").create_queue(QueueName="after")
        events = stream.take(3)
    finally:
        stream.close()
    assert [(event["event"], event["data"]["offset"]) for event in events[:2]] == [("clock", 600), ("clock", 0)]
    assert (events[2]["event"], events[2]["data"]["operation"]) == ("change", "CreateQueue")
