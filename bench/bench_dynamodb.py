"""DynamoDB: PutItem + GetItem cycles on a table of 2,000 items, and a full Query of a
5,000-item partition in pages of 100 (Limit=100, following LastEvaluatedKey), for the botocore
floor, hoarfrost and moto, in-process and over HTTP.

Run: ``.venv/bin/python bench/bench_dynamodb.py`` (each group in a fresh interpreter; one table
per scenario). ``--scenario put-get|query`` runs one of them. One op of put-get is one PutItem
and one GetItem; one op of query is the whole partition (50 pages). The floor answers each call
from a canned response, so it is botocore's own cost of the same calls.
"""

from __future__ import annotations

from typing import Any

from common import client, floor_client, hoarfrost_server, main, moto_server, server_url, target

TABLE = "bench"
TABLE_ITEMS = 2_000
PARTITION_ITEMS = 5_000
PAGE = 100
FLOOR = "floor (botocore, canned answers)"


def _create(ddb: Any) -> None:
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


# -- put + get ----------------------------------------------------------------------------------------
def _put_get_prepare(ddb: Any) -> None:
    _create(ddb)
    _fill(ddb, "table", TABLE_ITEMS)


def _put_get(ddb: Any) -> Any:
    counter = iter(range(10**9))

    def run() -> None:
        n = next(counter) % TABLE_ITEMS
        ddb.put_item(TableName=TABLE, Item=_item("table", n))
        ddb.get_item(TableName=TABLE, Key={"pk": {"S": "table"}, "sk": {"N": str(n)}})

    return run


def _probe_put(ddb: Any) -> Any:
    _create(ddb)
    return ddb.put_item(TableName=TABLE, Item=_item("table", 1))


def _probe_get(ddb: Any) -> Any:
    _probe_put(ddb)
    return ddb.get_item(TableName=TABLE, Key={"pk": {"S": "table"}, "sk": {"N": "1"}})


@target(FLOOR, group="in-process", scenario="put-get")
def floor_put_get():
    putter, getter = floor_client("dynamodb", _probe_put), floor_client("dynamodb", _probe_get)

    def run() -> None:
        putter.put_item(TableName=TABLE, Item=_item("table", 1))
        getter.get_item(TableName=TABLE, Key={"pk": {"S": "table"}, "sk": {"N": "1"}})

    yield run


@target("hoarfrost in-process", group="in-process", scenario="put-get")
def hoarfrost_put_get():
    import hoarfrost

    with hoarfrost.mock_aws():
        ddb = client("dynamodb")
        _put_get_prepare(ddb)
        yield _put_get(ddb)


@target("moto in-process", scenario="put-get")
def moto_put_get():
    import moto

    with moto.mock_aws():
        ddb = client("dynamodb")
        _put_get_prepare(ddb)
        yield _put_get(ddb)


@target("hoarfrost server", group="server", scenario="put-get")
def hoarfrost_http_put_get():
    with hoarfrost_server() as url:
        ddb = client("dynamodb", endpoint_url=server_url(url))
        _put_get_prepare(ddb)
        yield _put_get(ddb)


@target("moto server", group="server", scenario="put-get")
def moto_http_put_get():
    with moto_server() as url:
        ddb = client("dynamodb", endpoint_url=server_url(url))
        _put_get_prepare(ddb)
        yield _put_get(ddb)


# -- query ----------------------------------------------------------------------------------------------
def _query_all(ddb: Any) -> Any:
    def run() -> None:
        start = None
        total = 0
        while True:
            kwargs = {"ExclusiveStartKey": start} if start else {}
            page = ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p", Limit=PAGE,
                             ExpressionAttributeValues={":p": {"S": "part"}}, **kwargs)
            total += page["Count"]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        assert total == PARTITION_ITEMS, total

    return run


def _probe_page(ddb: Any) -> Any:
    _create(ddb)
    _fill(ddb, "part", PAGE * 2)
    return ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p", Limit=PAGE,
                     ExpressionAttributeValues={":p": {"S": "part"}})


@target(FLOOR, group="in-process", scenario="query")
def floor_query():
    pager = floor_client("dynamodb", _probe_page)
    start = {"pk": {"S": "part"}, "sk": {"N": str(PAGE - 1)}}

    def run() -> None:
        # The same number of calls and the same page size as a full query of the partition.
        for _ in range(PARTITION_ITEMS // PAGE):
            pager.query(TableName=TABLE, KeyConditionExpression="pk = :p", Limit=PAGE,
                        ExpressionAttributeValues={":p": {"S": "part"}}, ExclusiveStartKey=start)

    yield run


def _query_prepare(ddb: Any) -> None:
    _create(ddb)
    _fill(ddb, "part", PARTITION_ITEMS)


@target("hoarfrost in-process", group="in-process", scenario="query")
def hoarfrost_query():
    import hoarfrost

    with hoarfrost.mock_aws():
        ddb = client("dynamodb")
        _query_prepare(ddb)
        yield _query_all(ddb)


@target("moto in-process", scenario="query")
def moto_query():
    import moto

    with moto.mock_aws():
        ddb = client("dynamodb")
        _query_prepare(ddb)
        yield _query_all(ddb)


@target("hoarfrost server", group="server", scenario="query")
def hoarfrost_http_query():
    with hoarfrost_server() as url:
        ddb = client("dynamodb", endpoint_url=server_url(url))
        _query_prepare(ddb)
        yield _query_all(ddb)


@target("moto server", group="server", scenario="query")
def moto_http_query():
    with moto_server() as url:
        ddb = client("dynamodb", endpoint_url=server_url(url))
        _query_prepare(ddb)
        yield _query_all(ddb)


RATIOS = [
    ("hoarfrost in-process / floor", "hoarfrost in-process", FLOOR),
    ("hoarfrost in-process / moto in-process", "hoarfrost in-process", "moto in-process"),
    ("hoarfrost server / moto server", "hoarfrost server", "moto server"),
]

if __name__ == "__main__":
    main(f"DynamoDB PutItem + GetItem ({TABLE_ITEMS:,} items in the table)", reference=FLOOR, ratios=RATIOS,
         scenario="put-get")
    main(f"DynamoDB Query of a {PARTITION_ITEMS:,}-item partition, Limit={PAGE} pages", reference=FLOOR,
         ratios=RATIOS, scenario="query")
