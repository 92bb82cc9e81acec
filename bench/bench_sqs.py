"""SQS message cycles per second: SendMessage -> ReceiveMessage -> DeleteMessage on a queue that
holds a backlog of 1,000 messages, for the botocore floor, hoarfrost and moto, in-process and
over HTTP.

Run: ``.venv/bin/python bench/bench_sqs.py`` (each group in a fresh interpreter; one table).
One op in the table is one full cycle (three API calls). The floor answers each of the three
calls from its own client with a canned response, so it is botocore's cost of a cycle alone.
"""

from __future__ import annotations

from common import client, floor_client, hoarfrost_server, main, moto_server, server_url, target

BACKLOG = 1_000
QUEUE = "bench"


def _prepare(sqs):
    """Create the queue and its backlog; returns the queue URL."""
    url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    for start in range(0, BACKLOG, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "MessageBody": f"backlog message {start + i}"} for i in range(10)
        ])
    return url


def _cycle(sqs, url):
    def run():
        sqs.send_message(QueueUrl=url, MessageBody="benchmark message body")
        message = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"][0]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    return run


def _send(sqs):
    # floor_client keeps the last response of its probe: here SendMessage's
    url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    return sqs.send_message(QueueUrl=url, MessageBody="benchmark message body")


def _receive(sqs):
    url = _send(sqs) and sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)


def _delete(sqs):
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"] if _send(sqs) else ""
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    return sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)


@target("floor (botocore, canned answers)", group="in-process")
def floor():
    senders, receivers, deleters = (floor_client("sqs", call) for call in (_send, _receive, _delete))
    url = f"https://sqs.us-east-1.amazonaws.com/123456789012/{QUEUE}"

    def run():
        senders.send_message(QueueUrl=url, MessageBody="benchmark message body")
        message = receivers.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"][0]
        deleters.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    yield run


@target("hoarfrost in-process", group="in-process")
def hoarfrost_in_process():
    import hoarfrost

    with hoarfrost.mock_aws():
        sqs = client("sqs")
        yield _cycle(sqs, _prepare(sqs))


@target("moto in-process")
def moto_in_process():
    import moto

    with moto.mock_aws():
        sqs = client("sqs")
        yield _cycle(sqs, _prepare(sqs))


@target("hoarfrost server", group="server")
def hoarfrost_http():
    with hoarfrost_server() as url:
        sqs = client("sqs", endpoint_url=server_url(url))
        yield _cycle(sqs, _prepare(sqs))


@target("moto server", group="server")
def moto_http():
    with moto_server() as url:
        sqs = client("sqs", endpoint_url=server_url(url))
        yield _cycle(sqs, _prepare(sqs))


if __name__ == "__main__":
    main(
        f"SQS send -> receive -> delete cycles (boto3, one client, {BACKLOG:,} messages queued)",
        reference="floor (botocore, canned answers)",
        ratios=[
            ("hoarfrost in-process / floor", "hoarfrost in-process", "floor (botocore, canned answers)"),
            ("hoarfrost in-process / moto in-process", "hoarfrost in-process", "moto in-process"),
            ("hoarfrost server / moto server", "hoarfrost server", "moto server"),
        ],
    )
