"""Random writes against a reference model: every query and scan (table, GSI, LSI, both
directions, paged) answers what a brute-force filter over the model answers, so the sorted
partitions and the index maintenance cannot drift."""

from __future__ import annotations

import random
from typing import Any

from tests.dynamodb.conftest import make_table


def _all_pages(call: Any, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = call(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_queries_match_a_reference_model(ddb: Any) -> None:
    make_table(ddb, range_type="N", extra_definitions=[{"AttributeName": "g", "AttributeType": "S"},
                                                       {"AttributeName": "r", "AttributeType": "N"}],
               GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [
                   {"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}],
                   "Projection": {"ProjectionType": "ALL"}}],
               LocalSecondaryIndexes=[{"IndexName": "lsi", "KeySchema": [
                   {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}],
                   "Projection": {"ProjectionType": "ALL"}}])
    rng = random.Random(7)
    model: dict[tuple[str, int], dict[str, Any]] = {}
    for _ in range(300):
        pk, sk = rng.choice("abc"), rng.randrange(40)
        key = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
        action = rng.random()
        if action < 0.5:
            item = dict(key)
            if rng.random() < 0.8:
                item["g"] = {"S": rng.choice("xy")}
            if rng.random() < 0.8:
                item["r"] = {"N": str(rng.randrange(10))}
            ddb.put_item(TableName="t", Item=item)
            model[(pk, sk)] = item
        elif action < 0.75:
            ddb.delete_item(TableName="t", Key=key)
            model.pop((pk, sk), None)
        else:
            value = {"N": str(rng.randrange(10))}
            ddb.update_item(TableName="t", Key=key, UpdateExpression="SET r = :r",
                            ExpressionAttributeValues={":r": value})
            model[(pk, sk)] = {**model.get((pk, sk), key), "r": value}

    def keys(items: list[dict[str, Any]]) -> list[tuple[str, int]]:
        return [(i["pk"]["S"], int(i["sk"]["N"])) for i in items]

    for pk in "abc":
        for forward in (True, False):
            got = _all_pages(ddb.query, TableName="t", KeyConditionExpression="pk = :p AND sk >= :s", Limit=7,
                             ExpressionAttributeValues={":p": {"S": pk}, ":s": {"N": "10"}}, ScanIndexForward=forward)
            want = sorted(k for k in model if k[0] == pk and k[1] >= 10)
            assert keys(got) == (want if forward else want[::-1])
            local = _all_pages(ddb.query, TableName="t", IndexName="lsi", KeyConditionExpression="pk = :p",
                               ExpressionAttributeValues={":p": {"S": pk}}, Limit=5, ScanIndexForward=forward)
            rs = [int(i["r"]["N"]) for i in local]
            assert rs == sorted(rs, reverse=not forward)
            assert sorted(keys(local)) == sorted(k for k, v in model.items() if k[0] == pk and "r" in v)
    for g in "xy":
        got = _all_pages(ddb.query, TableName="t", IndexName="gsi", KeyConditionExpression="g = :g AND r < :r",
                         ExpressionAttributeValues={":g": {"S": g}, ":r": {"N": "5"}}, Limit=4)
        want = [k for k, v in model.items() if v.get("g") == {"S": g} and "r" in v and int(v["r"]["N"]) < 5]
        assert sorted(keys(got)) == sorted(want)
        rs = [int(i["r"]["N"]) for i in got]
        assert rs == sorted(rs)
    scanned = _all_pages(ddb.scan, TableName="t", Limit=9)
    assert sorted(keys(scanned)) == sorted(model)
    assert ddb.describe_table(TableName="t")["Table"]["ItemCount"] == len(model)
