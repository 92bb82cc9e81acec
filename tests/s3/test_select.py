"""SelectObjectContent through boto3: input formats and their options, compression, output
formats, the event stream (Records chunks, Progress, Stats, End), ScanRange, and the errors
sent before the stream (request settings) and inside it (a failure while records flow)."""

from __future__ import annotations

import bz2
import gzip
import json
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EventStreamError

from tests.harness import Harness
from tests.s3.conftest import code, status
from tests.s3.test_select_helpers import (
    CSV_IN,
    CSV_OUT,
    CSV_PEOPLE,
    JSON_LINES,
    JSON_OUT,
    LINES_IN,
    select,
)


def test_csv_to_csv_and_the_events_of_the_stream(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV_PEOPLE)
    answer = select(s3, bucket, "people.csv", "SELECT * FROM S3Object", target=CSV_OUT)
    assert answer.records == ('Alice,30,Paris,2020-01-15T\nBob,25,"Lyon, FR",2021-06-01T\n'
                              "Carol,41,Nice,2019-11-30T\ndave,17,Paris,2022-02-28T10:30Z\n")
    assert answer.kinds() == ["Records", "Stats", "End"]
    assert answer.stats == {"BytesScanned": len(CSV_PEOPLE), "BytesProcessed": len(CSV_PEOPLE),
                            "BytesReturned": len(answer.records.encode())}


def test_header_info_none_and_ignore(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV_PEOPLE)
    none = select(s3, bucket, "people.csv", "SELECT _1, _2 FROM S3Object LIMIT 2", {"CSV": {}})
    assert none.records == '{"_1":"name","_2":"age"}\n{"_1":"Alice","_2":"30"}\n'
    ignored = select(s3, bucket, "people.csv", "SELECT * FROM S3Object LIMIT 1", {"CSV": {"FileHeaderInfo": "IGNORE"}})
    assert ignored.records == '{"_1":"Alice","_2":"30","_3":"Paris","_4":"2020-01-15T"}\n'
    # With IGNORE the header's names mean nothing: a name is a missing column.
    named = select(s3, bucket, "people.csv", "SELECT s.name, s._1 FROM S3Object s LIMIT 1",
                   {"CSV": {"FileHeaderInfo": "IGNORE"}})
    assert named.records == '{"_1":"Alice"}\n'


def test_csv_input_delimiters_quotes_escapes_and_comments(s3: Any, bucket: str) -> None:
    body = b"a|b|c;// a comment;1|'x|y'|'it\\'s';2|plain|'q'"
    s3.put_object(Bucket=bucket, Key="odd.csv", Body=body)
    source = {"CSV": {"FileHeaderInfo": "USE", "RecordDelimiter": ";", "FieldDelimiter": "|",
                      "QuoteCharacter": "'", "QuoteEscapeCharacter": "\\", "Comments": "/"}}
    answer = select(s3, bucket, "odd.csv", "SELECT a, b, c FROM S3Object", source)
    assert answer.records == ('{"a":"1","b":"x|y","c":"it\'s"}\n'
                              '{"a":"2","b":"plain","c":"q"}\n')


def test_quoted_record_delimiters_only_when_allowed(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="multi.csv", Body=b'id,text\n1,"line one\nline two"\n2,short\n')
    allowed = select(s3, bucket, "multi.csv", "SELECT * FROM S3Object",
                     {"CSV": {"FileHeaderInfo": "USE", "AllowQuotedRecordDelimiter": True}})
    assert allowed.records == '{"id":"1","text":"line one\\nline two"}\n{"id":"2","text":"short"}\n'
    # Without it, the newline ends the record inside the quotes: S3 fails to parse the CSV.
    response = s3.select_object_content(Bucket=bucket, Key="multi.csv", Expression="SELECT * FROM S3Object",
                                        ExpressionType="SQL", InputSerialization={"CSV": {"FileHeaderInfo": "USE"}},
                                        OutputSerialization=JSON_OUT)
    with pytest.raises(EventStreamError) as excinfo:
        list(response["Payload"])
    assert excinfo.value.response["Error"]["Code"] == "CSVParsingError"


def test_crlf_records(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="dos.csv", Body=b"k,v\r\na,1\r\nb,2\r\n")
    answer = select(s3, bucket, "dos.csv", "SELECT v FROM S3Object WHERE k = 'b'")
    assert answer.records == '{"v":"2"}\n'


def test_json_document_with_nested_arrays(s3: Any, bucket: str) -> None:
    document = {"Rules": [{"id": "1"}, {"expr": "y > x"}, {"id": "2", "expr": "z = DEBUG"}]}
    s3.put_object(Bucket=bucket, Key="rules.json", Body=json.dumps(document, indent=2).encode())
    source = {"JSON": {"Type": "DOCUMENT"}}
    ids = select(s3, bucket, "rules.json", "SELECT s.id FROM S3Object[*].Rules[*] s", source)
    assert ids.records == '{"id":"1"}\n{}\n{"id":"2"}\n'
    rules = select(s3, bucket, "rules.json", "SELECT s.Rules[2].expr FROM S3Object s", source)
    assert rules.records == '{"expr":"z = DEBUG"}\n'
    as_csv = select(s3, bucket, "rules.json", "SELECT s.id, s.expr FROM S3Object[*].Rules[*] s", source, CSV_OUT)
    assert as_csv.records == '1,\n,y > x\n2,z = DEBUG\n'


def test_json_document_top_level_array_and_several_documents(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="array.json", Body=b'[{"n": 1}, {"n": 2}]')
    source = {"JSON": {"Type": "DOCUMENT"}}
    unnested = select(s3, bucket, "array.json", "SELECT s.n FROM S3Object[*][*] s", source)
    assert unnested.records == '{"n":1}\n{"n":2}\n'
    s3.put_object(Bucket=bucket, Key="several.json", Body=b'{"n": 1}\n{"n":\n 2}\n')
    several = select(s3, bucket, "several.json", "SELECT * FROM S3Object", source)
    assert several.records == '{"n":1}\n{"n":2}\n'


@pytest.mark.parametrize("compression", ["GZIP", "BZIP2"])
def test_compressed_inputs(s3: Any, bucket: str, compression: str) -> None:
    pack = gzip.compress if compression == "GZIP" else bz2.compress
    packed_csv, packed_json = pack(CSV_PEOPLE), pack(JSON_LINES)
    s3.put_object(Bucket=bucket, Key="people.csv.z", Body=packed_csv)
    s3.put_object(Bucket=bucket, Key="items.json.z", Body=packed_json)
    csv_answer = select(s3, bucket, "people.csv.z", "SELECT COUNT(*) FROM S3Object",
                        {**CSV_IN, "CompressionType": compression})
    assert csv_answer.records == '{"_1":4}\n'
    assert csv_answer.stats["BytesScanned"] == len(packed_csv)
    assert csv_answer.stats["BytesProcessed"] == len(CSV_PEOPLE)
    json_answer = select(s3, bucket, "items.json.z", "SELECT s.name FROM S3Object s WHERE s.id = 2",
                         {**LINES_IN, "CompressionType": compression})
    assert json_answer.records == '{"name":"Ben"}\n'


def test_concatenated_gzip_members_are_all_read(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="two.gz", Body=gzip.compress(b"a\n1\n") + gzip.compress(b"2\n3\n"))
    answer = select(s3, bucket, "two.gz", "SELECT COUNT(*) FROM S3Object", {**CSV_IN, "CompressionType": "GZIP"})
    assert answer.records == '{"_1":3}\n'


def test_plain_object_declared_compressed_is_refused(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV_PEOPLE)
    with pytest.raises(ClientError) as excinfo:
        select(s3, bucket, "people.csv", "SELECT * FROM S3Object", {**CSV_IN, "CompressionType": "GZIP"})
    assert code(excinfo) == "InvalidCompressionFormat"


def test_csv_output_quoting_and_delimiters(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV_PEOPLE)
    always = select(s3, bucket, "people.csv", "SELECT name, city FROM S3Object LIMIT 2", target={
        "CSV": {"QuoteFields": "ALWAYS", "FieldDelimiter": ";", "RecordDelimiter": "~"}})
    assert always.records == '"Alice";"Paris"~"Bob";"Lyon, FR"~'
    as_needed = select(s3, bucket, "people.csv", "SELECT name, city, 'say \"hi\"' FROM S3Object LIMIT 2",
                       target={"CSV": {"QuoteFields": "ASNEEDED", "QuoteCharacter": '"',
                                       "QuoteEscapeCharacter": "\\"}})
    assert as_needed.records == 'Alice,Paris,"say \\"hi\\""\nBob,"Lyon, FR","say \\"hi\\""\n'


def test_json_output_record_delimiter_and_types(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="items.jsonl", Body=JSON_LINES)
    answer = select(s3, bucket, "items.jsonl",
                    "SELECT s.id, s.info.score, s.info.active, s.tags, NULL AS n FROM S3Object s LIMIT 2",
                    LINES_IN, {"JSON": {"RecordDelimiter": ","}})
    assert answer.records == ('{"id":1,"score":9.5,"active":true,"tags":["a","b"],"n":null},'
                              '{"id":2,"score":7,"active":false,"tags":[],"n":null},')


def test_large_results_come_in_several_records_events(s3: Any, bucket: str) -> None:
    rows = b"".join(b"%d,%s\n" % (i, b"x" * 90) for i in range(3000))
    s3.put_object(Bucket=bucket, Key="big.csv", Body=rows)
    answer = select(s3, bucket, "big.csv", "SELECT * FROM S3Object", {"CSV": {}}, CSV_OUT)
    assert answer.records.encode() == rows
    assert answer.kinds().count("Records") > 1
    assert answer.stats == {"BytesScanned": len(rows), "BytesProcessed": len(rows), "BytesReturned": len(rows)}
    limited = select(s3, bucket, "big.csv", "SELECT _1 FROM S3Object WHERE _1 LIKE '%7' LIMIT 3", {"CSV": {}}, CSV_OUT)
    assert limited.records == "7\n17\n27\n"


def test_progress_events_only_when_requested(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV_PEOPLE)
    quiet = select(s3, bucket, "people.csv", "SELECT name FROM S3Object", RequestProgress={"Enabled": False})
    assert "Progress" not in quiet.kinds()
    told = select(s3, bucket, "people.csv", "SELECT name FROM S3Object", RequestProgress={"Enabled": True})
    assert told.kinds() == ["Records", "Progress", "Progress", "Stats", "End"]
    last_progress = [e["Progress"]["Details"] for e in told.events if "Progress" in e][-1]
    assert last_progress == told.stats
    assert told.stats["BytesReturned"] == len(told.records.encode())


def test_an_empty_result_still_has_stats_and_end(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV_PEOPLE)
    answer = select(s3, bucket, "people.csv", "SELECT name FROM S3Object WHERE city = 'Rome'")
    assert answer.kinds() == ["Stats", "End"]
    assert answer.stats["BytesReturned"] == 0
    s3.put_object(Bucket=bucket, Key="empty.csv", Body=b"")
    empty = select(s3, bucket, "empty.csv", "SELECT COUNT(*) FROM S3Object")
    assert empty.records == '{"_1":0}\n'


def test_scan_range_takes_the_records_that_start_inside_it(s3: Any, bucket: str) -> None:
    body = b"aaaa\nbbbb\ncccc\ndddd\n"  # records start at 0, 5, 10, 15
    s3.put_object(Bucket=bucket, Key="r.csv", Body=body)
    source, sql = {"CSV": {}}, "SELECT * FROM S3Object"
    assert select(s3, bucket, "r.csv", sql, source, CSV_OUT, ScanRange={"Start": 0, "End": 5}).records == \
        "aaaa\nbbbb\n"
    middle = select(s3, bucket, "r.csv", sql, source, CSV_OUT, ScanRange={"Start": 3, "End": 11})
    assert middle.records == "bbbb\ncccc\n"
    assert middle.stats["BytesScanned"] == 10
    assert select(s3, bucket, "r.csv", sql, source, CSV_OUT, ScanRange={"Start": 11}).records == "dddd\n"
    assert select(s3, bucket, "r.csv", sql, source, CSV_OUT, ScanRange={"End": 6}).records == "dddd\n"
    assert select(s3, bucket, "r.csv", sql, source, CSV_OUT, ScanRange={"Start": 100}).records == ""


def test_scan_range_keeps_the_header_and_reads_json_lines(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV_PEOPLE)
    start = CSV_PEOPLE.index(b"Carol")
    answer = select(s3, bucket, "people.csv", "SELECT name, city FROM S3Object", ScanRange={"Start": start - 2})
    assert answer.records == '{"name":"Carol","city":"Nice"}\n{"name":"dave","city":"Paris"}\n'
    s3.put_object(Bucket=bucket, Key="items.jsonl", Body=JSON_LINES)
    second = JSON_LINES.index(b'{"id": 2')
    lines = select(s3, bucket, "items.jsonl", "SELECT s.id FROM S3Object s", LINES_IN,
                   ScanRange={"Start": second, "End": second})
    assert lines.records == '{"id":2}\n'


@pytest.mark.parametrize(("settings", "error"), [
    ({"ScanRange": {"Start": 10, "End": 2}}, "InvalidRequestParameter"),
    ({"InputSerialization": {"JSON": {"Type": "DOCUMENT"}}, "ScanRange": {"Start": 1}}, "UnsupportedScanRangeInput"),
    ({"InputSerialization": {"CSV": {}, "CompressionType": "GZIP"}, "ScanRange": {"Start": 1}},
     "UnsupportedScanRangeInput"),
    ({"InputSerialization": {"CSV": {"AllowQuotedRecordDelimiter": True}}, "ScanRange": {"Start": 1}},
     "UnsupportedScanRangeInput"),
    ({"InputSerialization": {"CSV": {}, "JSON": {"Type": "LINES"}}}, "ObjectSerializationConflict"),
    ({"OutputSerialization": {"CSV": {}, "JSON": {}}}, "ObjectSerializationConflict"),
    ({"InputSerialization": {"CompressionType": "NONE"}}, "MissingRequiredParameter"),
    ({"InputSerialization": {"CSV": {"FileHeaderInfo": "MAYBE"}}}, "InvalidFileHeaderInfo"),
    ({"InputSerialization": {"JSON": {"Type": "TABLE"}}}, "InvalidJsonType"),
    ({"InputSerialization": {"CSV": {}, "CompressionType": "ZIP"}}, "InvalidCompressionFormat"),
    ({"OutputSerialization": {"CSV": {"QuoteFields": "SOMETIMES"}}}, "InvalidQuoteFields"),
    ({"InputSerialization": {"CSV": {"FieldDelimiter": ",,"}}}, "InvalidRequestParameter"),
    ({"ExpressionType": "XPATH"}, "InvalidExpressionType"),
])
def test_bad_settings_are_refused_before_the_stream(aws: Harness, s3: Any, bucket: str, settings: dict[str, Any],
                                                     error: str) -> None:
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV_PEOPLE)
    loose = aws.client("s3", config=Config(parameter_validation=False))
    request = {"Bucket": bucket, "Key": "people.csv", "Expression": "SELECT * FROM S3Object", "ExpressionType": "SQL",
               "InputSerialization": CSV_IN, "OutputSerialization": JSON_OUT, **settings}
    with pytest.raises(ClientError) as excinfo:
        loose.select_object_content(**request)
    assert (code(excinfo), status(excinfo)) == (error, 400)


def test_a_failure_while_records_flow_ends_the_stream_with_an_error(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="ages.csv", Body=b"n\n1\n2\nthree\n4\n")
    response = s3.select_object_content(Bucket=bucket, Key="ages.csv", Expression="SELECT CAST(n AS INT) FROM S3Object",
                                        ExpressionType="SQL", InputSerialization=CSV_IN, OutputSerialization=CSV_OUT)
    received: list[dict[str, Any]] = []
    with pytest.raises(EventStreamError) as excinfo:
        for event in response["Payload"]:
            received.append(event)
    assert excinfo.value.response["Error"]["Code"] == "CastFailed"
    assert [e["Records"]["Payload"] for e in received] == [b"1\n2\n"]


def test_the_object_must_exist_and_be_readable(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        select(s3, bucket, "nope.csv", "SELECT * FROM S3Object")
    assert (code(excinfo), status(excinfo)) == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as excinfo:
        select(s3, "no-such-bucket-here", "nope.csv", "SELECT * FROM S3Object")
    assert code(excinfo) == "NoSuchBucket"
    s3.put_object(Bucket=bucket, Key="cold.csv", Body=b"a\n", StorageClass="GLACIER")
    with pytest.raises(ClientError) as excinfo:
        select(s3, bucket, "cold.csv", "SELECT * FROM S3Object")
    assert code(excinfo) == "InvalidObjectState"


def test_sse_c_objects_need_their_key(s3: Any, bucket: str) -> None:
    key = b"k" * 32
    s3.put_object(Bucket=bucket, Key="secret.csv", Body=b"a\n1\n", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
    with pytest.raises(ClientError) as excinfo:
        select(s3, bucket, "secret.csv", "SELECT * FROM S3Object")
    assert code(excinfo) == "InvalidRequest"
    answer = select(s3, bucket, "secret.csv", "SELECT * FROM S3Object", SSECustomerAlgorithm="AES256",
                    SSECustomerKey=key)
    assert answer.records == '{"a":"1"}\n'


def test_latest_version_is_queried(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="v.csv", Body=b"v\nold\n")
    s3.put_object(Bucket=bucket, Key="v.csv", Body=b"v\nnew\n")
    assert select(s3, bucket, "v.csv", "SELECT * FROM S3Object").records == '{"v":"new"}\n'


def test_a_select_changes_nothing_and_reads_the_version_it_found(aws: Harness, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV_PEOPLE)
    heard: list[Any] = []
    stop = aws.emulator.subscribe(heard.append)
    try:
        answer = select(s3, bucket, "people.csv", "SELECT COUNT(*) FROM S3Object")
    finally:
        stop()
    assert answer.records == '{"_1":4}\n'
    assert heard == []  # a read: no state-change notification
    s3.delete_object(Bucket=bucket, Key="people.csv")  # the body is released once no select holds it
    with pytest.raises(ClientError) as excinfo:
        select(s3, bucket, "people.csv", "SELECT COUNT(*) FROM S3Object")
    assert code(excinfo) == "NoSuchKey"
