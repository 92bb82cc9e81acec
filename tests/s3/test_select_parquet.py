"""S3 Select over Parquet objects through boto3: column types and nulls, dictionary and v2
pages, the Snappy and GZIP codecs, several row groups, and S3 Select's Parquet errors."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EventStreamError

from tests.harness import Harness
from tests.s3.conftest import code
from tests.s3.test_select_parquet_writer import (
    BOOLEAN,
    BYTE_ARRAY,
    DATE,
    DECIMAL,
    DOUBLE,
    INT32,
    INT64,
    INT96,
    TIMESTAMP_MILLIS,
    UTF8,
    Column,
    write_parquet,
)
from tests.s3.test_select_helpers import CSV_OUT, select

PARQUET = {"Parquet": {}}
COLUMNS = [
    Column("id", INT32, [1, 2, 3], optional=False),
    Column("name", BYTE_ARRAY, ["Ann", None, "Cy"], UTF8),
    Column("score", DOUBLE, [9.5, 7.0, None]),
    Column("active", BOOLEAN, [True, False, True]),
    Column("born", INT32, [0, 365, 19000], DATE),
    Column("seen", INT64, [1_000, 86_400_123, None], TIMESTAMP_MILLIS),
    Column("price", INT64, [1999, -5, 100000], DECIMAL, scale=2),
]
ALL_ROWS = (
    '{"id":1,"name":"Ann","score":9.5,"active":true,"born":"1970-01-01T","seen":"1970-01-01T00:00:01.000Z",'
    '"price":19.99}\n'
    '{"id":2,"name":null,"score":7.0,"active":false,"born":"1971-01-01T","seen":"1970-01-02T00:00:00.123Z",'
    '"price":-0.05}\n'
    '{"id":3,"name":"Cy","score":null,"active":true,"born":"2022-01-08T","seen":null,"price":1000.00}\n'
)


@pytest.mark.parametrize("layout", [
    {}, {"codec": "GZIP"}, {"codec": "SNAPPY"}, {"dictionary": True},
    {"v2": True, "codec": "SNAPPY", "dictionary": True}, {"v2": True}, {"rows_per_group": 2, "codec": "GZIP"},
], ids=["plain", "gzip", "snappy", "dictionary", "v2-snappy-dictionary", "v2", "row-groups"])
def test_every_layout_reads_the_same_rows(s3: Any, bucket: str, layout: dict[str, Any]) -> None:
    body = write_parquet(COLUMNS, **layout)
    s3.put_object(Bucket=bucket, Key="t.parquet", Body=body)
    answer = select(s3, bucket, "t.parquet", "SELECT * FROM S3Object", PARQUET)
    assert answer.records == ALL_ROWS
    assert answer.stats["BytesScanned"] > 0 and answer.stats["BytesReturned"] == len(ALL_ROWS)


def test_queries_over_parquet_columns(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="t.parquet", Body=write_parquet(COLUMNS, dictionary=True))
    cases = [
        ("SELECT s.name FROM S3Object s WHERE s.score > 8", '{"name":"Ann"}\n'),
        ("SELECT s.id FROM S3Object s WHERE s.name IS NULL", '{"id":2}\n'),
        ("SELECT COUNT(*) AS n, SUM(s.price) AS total, MAX(s.id) AS top FROM S3Object s",
         '{"n":3,"total":1019.94,"top":3}\n'),
        ("SELECT s.id FROM S3Object s WHERE s.active AND EXTRACT(YEAR FROM s.born) > 2000", '{"id":3}\n'),
        ("SELECT s.id FROM S3Object s WHERE s.seen > `1970-01-01T12:00Z`", '{"id":2}\n'),
        ("SELECT UPPER(name) AS n FROM S3Object LIMIT 1", '{"n":"ANN"}\n'),
    ]
    assert [(sql, select(s3, bucket, "t.parquet", sql, PARQUET).records) for sql, _ in cases] == cases
    as_csv = select(s3, bucket, "t.parquet", "SELECT id, name, score FROM S3Object", PARQUET, CSV_OUT)
    assert as_csv.records == "1,Ann,9.5\n2,,7.0\n3,Cy,\n"


@pytest.mark.parametrize(("body", "error"), [
    (b"not parquet at all", "ParquetParsingError"),
    (write_parquet(COLUMNS)[:-20] + b"\x00" * 16 + b"PAR1", "ParquetParsingError"),
    (write_parquet(COLUMNS, codec="ZSTD"), "ParquetUnsupportedCompressionCodec"),
    (write_parquet([Column("legacy", INT96, [5])]), "UnsupportedParquetType"),
], ids=["not-parquet", "bad-footer", "zstd", "int96"])
def test_parquet_errors_end_the_stream(s3: Any, bucket: str, body: bytes, error: str) -> None:
    s3.put_object(Bucket=bucket, Key="bad.parquet", Body=body)
    response = s3.select_object_content(Bucket=bucket, Key="bad.parquet", Expression="SELECT * FROM S3Object",
                                        ExpressionType="SQL", InputSerialization=PARQUET,
                                        OutputSerialization={"JSON": {}})
    with pytest.raises(EventStreamError) as excinfo:
        list(response["Payload"])
    assert excinfo.value.response["Error"]["Code"] == error


def test_whole_object_compression_is_refused_for_parquet(aws: Harness, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="t.parquet", Body=write_parquet(COLUMNS))
    with pytest.raises(ClientError) as excinfo:
        select(s3, bucket, "t.parquet", "SELECT * FROM S3Object", {"Parquet": {}, "CompressionType": "GZIP"})
    assert code(excinfo) == "InvalidRequestParameter"
    loose = aws.client("s3", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as excinfo:
        loose.select_object_content(Bucket=bucket, Key="t.parquet", Expression="SELECT * FROM S3Object",
                                    ExpressionType="SQL", InputSerialization=PARQUET,
                                    OutputSerialization={"JSON": {}}, ScanRange={"Start": 4})
    assert code(excinfo) == "UnsupportedScanRangeInput"
