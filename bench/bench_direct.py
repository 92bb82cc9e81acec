"""Direct in-process mode (``mock_aws(direct=True)``) beside the wire in-process mode, the botocore
floor and moto, on the calls issue #16 sets targets for:

* ``sts``: GetCallerIdentity;
* ``sqs``: one SendMessage -> ReceiveMessage -> DeleteMessage cycle on a queue with a backlog;
* ``put-get``: one DynamoDB PutItem and one GetItem;
* ``s3-list``: one ListObjectsV2 answering 1,000 keys;
* ``query``: one DynamoDB Query answering 1,000 items.

Run: ``.venv/bin/python bench/bench_direct.py`` (``--scenario NAME`` for one table). The floor
answers each call with a canned response at ``before-send``: botocore's own cost of the call
(serialise, sign, parse). The direct mode skips all three, so it can beat the floor.

Two mock_aws() blocks cannot be active in one interpreter with different modes (the innermost
answers), so the wire and direct targets run in separate groups, each beside a floor of its
own: compare a mode with the floor of its own row pair (the ratios below the table do).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from common import client, floor_client, main, target

FLOOR = "floor (botocore, canned answers)"
FLOOR_D = "floor (beside direct)"
WIRE = "hoarfrost wire in-process"
DIRECT = "hoarfrost direct in-process"
MOTO = "moto in-process"
QUEUE = "bench"
TABLE = "bench"
BUCKET = "bench-direct"
KEYS = 1_000


# -- scenarios: (prepare(clients) -> run callable, floor probes) --------------------------------------
def _sts_run(make: Callable[[str], Any]) -> Callable[[], Any]:
    sts = make("sts")
    return sts.get_caller_identity


def _sqs_prepare(sqs: Any) -> str:
    url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    for start in range(0, 1_000, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"backlog {start + i}"}
                                                      for i in range(10)])
    return url


def _sqs_run(make: Callable[[str], Any]) -> Callable[[], Any]:
    sqs = make("sqs")
    url = _sqs_prepare(sqs)

    def run() -> None:
        sqs.send_message(QueueUrl=url, MessageBody="benchmark message body")
        message = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"][0]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    return run


def _sqs_floor() -> Callable[[], Any]:
    def send(sqs: Any) -> Any:
        url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
        return sqs.send_message(QueueUrl=url, MessageBody="benchmark message body")

    def receive(sqs: Any) -> Any:
        url = send(sqs) and sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
        return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)

    def delete(sqs: Any) -> Any:
        url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"] if send(sqs) else ""
        handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
        return sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)

    senders, receivers, deleters = (floor_client("sqs", call) for call in (send, receive, delete))
    url = f"https://sqs.us-east-1.amazonaws.com/123456789012/{QUEUE}"

    def run() -> None:
        senders.send_message(QueueUrl=url, MessageBody="benchmark message body")
        message = receivers.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"][0]
        deleters.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    return run


def _create_table(ddb: Any) -> None:
    ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"}])


def _item(pk: str, sk: int) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}, "name": {"S": f"item number {sk}"},
            "price": {"N": f"{sk}.99"}, "tags": {"SS": ["a", "b"]}}


def _fill(ddb: Any, pk: str, count: int) -> None:
    for start in range(0, count, 25):
        ddb.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": _item(pk, i)}}
                                                   for i in range(start, min(count, start + 25))]})


def _put_get(ddb: Any) -> Callable[[], Any]:
    def run() -> None:
        ddb.put_item(TableName=TABLE, Item=_item("table", 1))
        ddb.get_item(TableName=TABLE, Key={"pk": {"S": "table"}, "sk": {"N": "1"}})

    return run


def _put_get_run(make: Callable[[str], Any]) -> Callable[[], Any]:
    ddb = make("dynamodb")
    _create_table(ddb)
    return _put_get(ddb)


def _put_get_floor() -> Callable[[], Any]:
    def put(ddb: Any) -> Any:
        _create_table(ddb)
        return ddb.put_item(TableName=TABLE, Item=_item("table", 1))

    def get(ddb: Any) -> Any:
        put(ddb)
        return ddb.get_item(TableName=TABLE, Key={"pk": {"S": "table"}, "sk": {"N": "1"}})

    putter, getter = floor_client("dynamodb", put), floor_client("dynamodb", get)

    def run() -> None:
        putter.put_item(TableName=TABLE, Item=_item("table", 1))
        getter.get_item(TableName=TABLE, Key={"pk": {"S": "table"}, "sk": {"N": "1"}})

    return run


def _s3_fill(s3: Any) -> None:
    s3.create_bucket(Bucket=BUCKET)
    for n in range(KEYS):
        s3.put_object(Bucket=BUCKET, Key=f"logs/2024/{n:05d}.json", Body=b"{}")


def _s3_list(s3: Any) -> Callable[[], Any]:
    def run() -> None:
        assert s3.list_objects_v2(Bucket=BUCKET, MaxKeys=KEYS)["KeyCount"] == KEYS

    return run


def _s3_run(make: Callable[[str], Any]) -> Callable[[], Any]:
    s3 = make("s3")
    _s3_fill(s3)
    return _s3_list(s3)


def _s3_floor() -> Callable[[], Any]:
    def listing(s3: Any) -> Any:
        _s3_fill(s3)
        return s3.list_objects_v2(Bucket=BUCKET, MaxKeys=KEYS)

    return _s3_list(floor_client("s3", listing))


def _query(ddb: Any) -> Callable[[], Any]:
    def run() -> None:
        page = ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={
            ":p": {"S": "part"}})
        assert page["Count"] == KEYS

    return run


def _query_run(make: Callable[[str], Any]) -> Callable[[], Any]:
    ddb = make("dynamodb")
    _create_table(ddb)
    _fill(ddb, "part", KEYS)
    return _query(ddb)


def _query_floor() -> Callable[[], Any]:
    def probe(ddb: Any) -> Any:
        _create_table(ddb)
        _fill(ddb, "part", KEYS)
        return ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={
            ":p": {"S": "part"}})

    return _query(floor_client("dynamodb", probe))


SCENARIOS: dict[str, tuple[str, Callable[[Callable[[str], Any]], Callable[[], Any]], Callable[[], Callable[[], Any]]]] = {
    "sts": ("STS GetCallerIdentity", _sts_run, lambda: floor_client("sts", lambda c: c.get_caller_identity())
            .get_caller_identity),
    "sqs": ("SQS SendMessage -> ReceiveMessage -> DeleteMessage (one op = the cycle)", _sqs_run, _sqs_floor),
    "put-get": ("DynamoDB PutItem + GetItem (one op = both)", _put_get_run, _put_get_floor),
    "s3-list": (f"S3 ListObjectsV2 answering {KEYS:,} keys", _s3_run, _s3_floor),
    "query": (f"DynamoDB Query answering {KEYS:,} items", _query_run, _query_floor),
}


def _register(scenario: str) -> None:
    _, run_with, floor_run = SCENARIOS[scenario]

    def floor() -> Iterator[Callable[[], Any]]:
        yield floor_run()

    def hoarfrost_mode(direct: bool) -> Callable[[], Iterator[Callable[[], Any]]]:
        def in_process() -> Iterator[Callable[[], Any]]:
            import hoarfrost

            with hoarfrost.mock_aws(direct=direct):
                yield run_with(client)

        return in_process

    def moto_in_process() -> Iterator[Callable[[], Any]]:
        import moto

        with moto.mock_aws():
            yield run_with(client)

    target(FLOOR, group="wire", scenario=scenario)(floor)
    target(WIRE, group="wire", scenario=scenario)(hoarfrost_mode(False))
    target(FLOOR_D, group="direct", scenario=scenario)(floor)
    target(DIRECT, group="direct", scenario=scenario)(hoarfrost_mode(True))
    target(MOTO, scenario=scenario)(moto_in_process)


for _name in SCENARIOS:
    _register(_name)

RATIOS = [
    ("wire / floor", WIRE, FLOOR),
    ("direct / floor", DIRECT, FLOOR_D),
    ("direct / wire (separate runs)", DIRECT, WIRE),
    ("direct / moto", DIRECT, MOTO),
]

if __name__ == "__main__":
    for _name, (_title, _, _) in SCENARIOS.items():
        main(_title, reference=FLOOR, ratios=RATIOS, scenario=_name)
