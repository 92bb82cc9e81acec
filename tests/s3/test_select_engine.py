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


def _json_request(sql: str, size: int) -> Request:
    return check_request({"Expression": sql, "ExpressionType": "SQL",
                          "InputSerialization": {"JSON": {"Type": "DOCUMENT"}},
                          "OutputSerialization": {"JSON": {}}}, size)


def test_json_documents_parse_as_their_text_arrives() -> None:
    data = b'{"n": 12345, "s": "caf\xc3\xa9"} 678 [1.25,\n true]\n{"n": 9}' + b" " * 100
    split = [data[i:i + 1] for i in range(len(data))]  # one byte at a time: numbers and UTF-8 split
    events = run(_json_request("SELECT * FROM S3Object", len(data)), lambda s, e: iter(split), len(data), NOW)
    assert events[0] == {"Records": {"Payload": '{"n":12345,"s":"café"}\n{"_1":678}\n{"_1":[1.25,true]}\n'
                                                '{"n":9}\n'.encode()}}
    pulled: list[int] = []

    def read(start: int, end: int | None) -> Iterator[bytes]:
        for n in range(1000):
            pulled.append(n)
            yield b'{"n": %d}\n' % n

    first = run(_json_request("SELECT s.n FROM S3Object s LIMIT 2", 10**6), read, 10**6, NOW)
    assert first[0] == {"Records": {"Payload": b'{"n":0}\n{"n":1}\n'}}
    assert len(pulled) < 1000


def test_a_truncated_json_document_is_a_parsing_error() -> None:
    data = b'{"n": 1}\n{"n": '
    events = run(_json_request("SELECT * FROM S3Object", len(data)), lambda s, e: iter([data]), len(data), NOW)
    assert events[0] == {"Records": {"Payload": b'{"n":1}\n'}}
    assert isinstance(events[1], ServiceError) and events[1].code == "JSONParsingError"


def test_a_record_over_one_megabyte_is_refused() -> None:
    data = b"x" * (1024 * 1024 + 10) + b"\nshort\n"

    def read(start: int, end: int | None) -> Iterator[bytes]:
        return iter([data[i:i + 65536] for i in range(0, len(data), 65536)])

    events = run(_request("SELECT * FROM S3Object", len(data)), read, len(data), NOW)
    assert isinstance(events[0], ServiceError) and events[0].code == "OverMaxRecordSize"
