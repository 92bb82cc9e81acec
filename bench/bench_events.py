"""EventBridge events per second end to end: PutEvents (one entry) on the default bus, matched
by a rule whose target is an SQS queue, for the botocore floor, hoarfrost and moto, in-process
and over HTTP.

Run: ``.venv/bin/python bench/bench_events.py`` (each group in a fresh interpreter; one table).
One op is one PutEvents call carrying one event; at teardown every target checks that its
queue received exactly as many messages as events were put (a run that delivered less fails
instead of printing a rate). The floor answers PutEvents with a canned response: botocore's
cost of the call alone.
"""

from __future__ import annotations

import json

from common import client, floor_client, hoarfrost_server, main, moto_server, server_url, target

QUEUE = "bench-events"
ENTRY = {"Source": "bench.app", "DetailType": "Order Placed",
         "Detail": json.dumps({"order": {"id": "o-1", "total": 42.5}, "state": "placed"})}
PATTERN = json.dumps({"source": ["bench.app"], "detail": {"state": ["placed"],
                                                          "order": {"total": [{"numeric": [">", 10]}]}}})


def _prepare(events, sqs):
    """A rule on the default bus with the queue as its target; the queue's URL."""
    url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="bench", EventPattern=PATTERN)
    events.put_targets(Rule="bench", Targets=[{"Id": "q", "Arn": arn}])
    return url


def _timed(events, sqs, url):
    """The callable to time, counting its calls, and the teardown check on the queue."""
    count = [0]

    def run():
        if events.put_events(Entries=[ENTRY])["FailedEntryCount"]:
            raise RuntimeError("PutEvents failed an entry")
        count[0] += 1

    def check():
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        received = int(attributes["Attributes"]["ApproximateNumberOfMessages"])
        if received != count[0]:
            raise RuntimeError(f"put {count[0]} events, the queue received {received}")

    return run, check


@target("floor (botocore, canned answers)", group="in-process")
def floor():
    events = floor_client("events", lambda c: c.put_events(Entries=[ENTRY]))
    yield lambda: events.put_events(Entries=[ENTRY])


@target("hoarfrost in-process", group="in-process")
def hoarfrost_in_process():
    import hoarfrost

    with hoarfrost.mock_aws():
        events, sqs = client("events"), client("sqs")
        run, check = _timed(events, sqs, _prepare(events, sqs))
        yield run
        check()


@target("moto in-process")
def moto_in_process():
    import moto

    with moto.mock_aws():
        events, sqs = client("events"), client("sqs")
        run, check = _timed(events, sqs, _prepare(events, sqs))
        yield run
        check()


@target("hoarfrost server", group="server")
def hoarfrost_http():
    with hoarfrost_server() as url:
        events, sqs = client("events", endpoint_url=server_url(url)), client("sqs", endpoint_url=server_url(url))
        run, check = _timed(events, sqs, _prepare(events, sqs))
        yield run
        check()


@target("moto server", group="server")
def moto_http():
    with moto_server() as url:
        events, sqs = client("events", endpoint_url=server_url(url)), client("sqs", endpoint_url=server_url(url))
        run, check = _timed(events, sqs, _prepare(events, sqs))
        yield run
        check()


if __name__ == "__main__":
    main(
        "EventBridge PutEvents -> rule -> SQS, events/s end to end (boto3, one entry per call, received count "
        "checked)",
        reference="floor (botocore, canned answers)",
        ratios=[
            ("hoarfrost in-process / floor", "hoarfrost in-process", "floor (botocore, canned answers)"),
            ("hoarfrost in-process / moto in-process", "hoarfrost in-process", "moto in-process"),
            ("hoarfrost server / moto server", "hoarfrost server", "moto server"),
        ],
    )
