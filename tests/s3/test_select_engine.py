"""The S3 Select engine on its own: it streams (LIMIT stops reading the object), parses the
SQL once before any byte is read, and refuses an over-long expression."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from hoarfrost.core.errors import ServiceError
from hoarfrost.services.s3.select.engine import Request, check_request, run

NOW = dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc)


def _request(sql: str, size: int) -> Request:
    return check_request({"Expression": sql, "ExpressionType": "SQL", "InputSerialization": {"CSV": {}},
                          "OutputSerialization": {"CSV": {}}}, size)


def test_limit_stops_reading_the_object() -> None:
    chunk = b"".join(b"%d\n" % i for i in range(1000))
    pulled: list[int] = []

    def read(start: int, end: int | None) -> Iterator[bytes]:
        for n in range(100):
            pulled.append(n)
            yield chunk

    events = run(_request("SELECT * FROM S3Object LIMIT 3", 100 * len(chunk)), read, 100 * len(chunk), NOW)
    assert events[0] == {"Records": {"Payload": b"0\n1\n2\n"}}
    assert pulled == [0]
    assert events[-2] == {"Stats": {"Details": {"BytesScanned": len(chunk), "BytesProcessed": len(chunk),
                                                "BytesReturned": 6}}}


def test_records_split_across_chunks_are_joined() -> None:
    data = b'a,"b\nc",d\nnext,row,here\n'

    def read(start: int, end: int | None) -> Iterator[bytes]:
        return iter([data[i:i + 3] for i in range(0, len(data), 3)])

    request = check_request({"Expression": "SELECT _1, _3 FROM S3Object", "ExpressionType": "SQL",
                             "InputSerialization": {"CSV": {"AllowQuotedRecordDelimiter": True}},
                             "OutputSerialization": {"JSON": {}}}, len(data))
    events = run(request, read, len(data), NOW)
    assert events[0] == {"Records": {"Payload": b'{"_1":"a","_3":"d"}\n{"_1":"next","_3":"here"}\n'}}


def test_bad_sql_fails_before_any_byte_is_read() -> None:
    with pytest.raises(ServiceError) as excinfo:
        _request("SELECT * FROM S3Object WHERE", 10)
    assert excinfo.value.code == "ParseExpectedExpression"


def test_an_expression_over_256_kib_is_refused() -> None:
    sql = "SELECT * FROM S3Object WHERE " + " OR ".join(["_1 = 'x'"] * 40000)
    with pytest.raises(ServiceError) as excinfo:
        _request(sql, 10)
    assert excinfo.value.code == "ExpressionTooLong"
