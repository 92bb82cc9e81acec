"""S3 Select's functions and operators through boto3, one expression per case, with the
results AWS's SQL reference gives for its own examples (dates, strings, conditionals)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from botocore.exceptions import EventStreamError

from tests.harness import Harness
from tests.s3.test_select_helpers import LINES_IN, select

CASES = [
    # DATE_ADD: precision grows as needed; a date given an hour has no known offset.
    ("DATE_ADD(year, 5, `2010-01-01T`)", "2015-01-01T"),
    ("DATE_ADD(month, 1, `2010T`)", "2010-02T"),
    ("DATE_ADD(month, 13, `2010T`)", "2011-02T"),
    ("DATE_ADD(day, -1, `2017-01-10T`)", "2017-01-09T"),
    ("DATE_ADD(hour, 1, `2017T`)", "2017-01-01T01:00-00:00"),
    ("DATE_ADD(hour, 1, `2017-01-02T03:04Z`)", "2017-01-02T04:04Z"),
    ("DATE_ADD(minute, 1, `2017-01-02T03:04:05.006Z`)", "2017-01-02T03:05:05.006Z"),
    ("DATE_ADD(second, 1, `2017-01-02T03:04:05.006Z`)", "2017-01-02T03:04:06.006Z"),
    ("DATE_ADD(month, 1, `2024-01-31T`)", "2024-02-29T"),
    # DATE_DIFF counts whole parts.
    ("DATE_DIFF(year, `2010-01-01T`, `2011-01-01T`)", 1),
    ("DATE_DIFF(month, `2010T`, `2011T`)", 12),
    ("DATE_DIFF(month, `2011T`, `2010T`)", -12),
    ("DATE_DIFF(day, `2010-01-01T23:00Z`, `2010-01-02T01:00Z`)", 0),
    ("DATE_DIFF(hour, `2010-01-01T23:00Z`, `2010-01-02T01:30Z`)", 2),
    # EXTRACT
    ("EXTRACT(YEAR FROM `2010-01-01T`)", 2010),
    ("EXTRACT(MONTH FROM `2010T`)", 1),
    ("EXTRACT(MONTH FROM `2010-10T`)", 10),
    ("EXTRACT(HOUR FROM `2017-01-02T03:04:05+07:08`)", 3),
    ("EXTRACT(MINUTE FROM `2017-01-02T03:04:05+07:08`)", 4),
    ("EXTRACT(TIMEZONE_HOUR FROM `2017-01-02T03:04:05+07:08`)", 7),
    ("EXTRACT(TIMEZONE_MINUTE FROM `2017-01-02T03:04:05+07:08`)", 8),
    # TO_STRING with Java-style patterns
    ("TO_STRING(`1969-07-20T20:18Z`, 'MMMM d, y')", "July 20, 1969"),
    ("TO_STRING(`1969-07-20T20:18Z`, 'MMM d, yyyy')", "Jul 20, 1969"),
    ("TO_STRING(`1969-07-20T20:18Z`, 'M-d-yy')", "7-20-69"),
    ("TO_STRING(`1969-07-20T20:18Z`, 'MM-d-y')", "07-20-1969"),
    ("TO_STRING(`1969-07-20T20:18Z`, 'MMMM d, y h:m a')", "July 20, 1969 8:18 PM"),
    ("TO_STRING(`1969-07-20T20:18Z`, 'y-MM-dd''T''H:m:ssX')", "1969-07-20T20:18:00Z"),
    ("TO_STRING(`1969-07-20T20:18+08:00`, 'y-MM-dd''T''H:m:ssXXXX')", "1969-07-20T20:18:00+0800"),
    ("TO_STRING(`1969-07-20T20:18+08:00`, 'y-MM-dd''T''H:m:ssXXXXX')", "1969-07-20T20:18:00+08:00"),
    # TO_TIMESTAMP and CAST keep the precision written
    ("TO_TIMESTAMP('2007T')", "2007T"),
    ("TO_TIMESTAMP('2007-02-23T12:14:33.079-08:00')", "2007-02-23T12:14:33.079-08:00"),
    ("CAST('2007-04-05T14:30Z' AS TIMESTAMP)", "2007-04-05T14:30Z"),
    ("CAST(0.456 AS FLOAT)", 0.456),
    ("CAST('12' AS INTEGER) * 2", 24),
    ("CAST(' 7 ' AS INT)", 7),
    ("CAST('TRUE' AS BOOL)", True),
    ("CAST(0 AS BOOL)", False),
    ("CAST(1.5 AS STRING)", "1.5"),
    ("CAST('1.25' AS DECIMAL) + 1", 2.25),
    # conditionals
    ("COALESCE(1)", 1),
    ("COALESCE(null, null, 1)", 1),
    ("COALESCE(missing, 1)", 1),
    ("COALESCE(null, 'string')", "string"),
    ("COALESCE(missing, missing)", None),
    ("NULLIF(1, 1)", None),
    ("NULLIF(1, 2)", 1),
    ("NULLIF(1.0, 1)", None),
    ("NULLIF(1, '1')", 1),
    ("NULLIF(NULL, 1)", None),
    ("NULLIF(missing, null)", None),
    ("CASE s.id WHEN 1 THEN 'one' WHEN 2 THEN 'two' END", "one"),
    ("CASE WHEN s.id > 5 THEN 'big' END", None),
    # strings
    ("CHAR_LENGTH('')", 0),
    ("CHARACTER_LENGTH('abcdefg')", 7),
    ("LOWER('AbCdEfG!@#$')", "abcdefg!@#$"),
    ("UPPER('AbCdEfG!@#$')", "ABCDEFG!@#$"),
    ("SUBSTRING('123456789', 0)", "123456789"),
    ("SUBSTRING('123456789', 1)", "123456789"),
    ("SUBSTRING('123456789', 2)", "23456789"),
    ("SUBSTRING('123456789', -4)", "123456789"),
    ("SUBSTRING('123456789', 0, 999)", "123456789"),
    ("SUBSTRING('123456789', 1, 5)", "12345"),
    ("SUBSTRING('123456789' FROM 2 FOR 3)", "234"),
    ("TRIM('       foobar         ')", "foobar"),
    ("TRIM('      \tfoobar\t         ')", "\tfoobar\t"),
    ("TRIM(LEADING FROM '       foobar         ')", "foobar         "),
    ("TRIM(TRAILING FROM '       foobar         ')", "       foobar"),
    ("TRIM(BOTH FROM '       foobar         ')", "foobar"),
    ("TRIM(BOTH '12' FROM '1112211foobar22211122')", "foobar"),
    ("'foo' || 'bar'", "foobar"),
    # operators
    ("7 / 2", 3),
    ("-7 / 2", -3),
    ("7 % 3", 1),
    ("-7 % 3", -1),
    ("7.0 / 2", 3.5),
    ("1.5 + 1", 2.5),
    ("2 * 3 + 4", 10),
    ("2 * (3 + 4)", 14),
    ("'1' = 1", False),
    ("1 = 1.0", True),
    ("`2010T` < `2011T`", True),
    ("'abc' < 'abd'", True),
    ("NULL = NULL", None),
    ("NOT (1 = 2)", True),
    ("'a%b' LIKE 'a!%b' ESCAPE '!'", True),
    ("'axb' LIKE 'a!%b' ESCAPE '!'", False),
    ("'a_b' LIKE 'a\\_b' ESCAPE '\\'", True),
    ("'Line\nTwo' LIKE 'Line%'", True),
    ("3 IN (1, 2, NULL)", None),
    ("2 IN (1, 2, NULL)", True),
    ("5 BETWEEN 1 AND 10", True),
    ("TRUE AND NULL", None),
    ("FALSE AND NULL", False),
    ("TRUE OR NULL", True),
    ("s.nothing IS MISSING", True),
    ("s.nothing IS NULL", True),
    ("NULL IS MISSING", False),
]


@pytest.fixture
def one(s3: Any, bucket: str) -> str:
    s3.put_object(Bucket=bucket, Key="one.json", Body=b'{"id": 1}\n')
    return bucket


def test_expressions(s3: Any, one: str) -> None:
    """Every case in one query (one request per mode keeps the table fast): each is its own
    column ``v<n>``; a mismatch names its expression."""
    columns = ", ".join(f"{expression} AS v{n}" for n, (expression, _) in enumerate(CASES))
    answer = select(s3, one, "one.json", f"SELECT {columns} FROM S3Object s", LINES_IN)
    record = json.loads(answer.records)
    wrong = [(expression, record.get(f"v{n}"), expected) for n, (expression, expected) in enumerate(CASES)
             if record.get(f"v{n}") != expected or type(record.get(f"v{n}")) is not type(expected)]
    assert wrong == []


@pytest.mark.parametrize(("expression", "error"), [
    ("CAST('abc' AS INT)", "CastFailed"),
    ("CAST('2010-13-45' AS TIMESTAMP)", "CastFailed"),
    ("TO_TIMESTAMP('yesterday')", "ValueParseFailure"),
    ("CAST('9223372036854775807' AS INT) + 1", "IntegerOverflow"),
    ("1 / 0", "DivisionByZero"),
    ("'a' LIKE 'a!' ESCAPE '!'", "LikeInvalidInputs"),
    ("'a' LIKE 'a' ESCAPE '!!'", "LikeInvalidInputs"),
    ("TO_STRING(`2010T`, 'QQQ')", "EvaluatorInvalidTimestampFormatPattern"),
    ("SUM('text')", "IncorrectSqlFunctionArgumentType"),
])
def test_evaluation_errors_end_the_stream(s3: Any, one: str, expression: str, error: str) -> None:
    response = s3.select_object_content(Bucket=one, Key="one.json", Expression=f"SELECT {expression} FROM S3Object s",
                                        ExpressionType="SQL", InputSerialization=LINES_IN,
                                        OutputSerialization={"JSON": {}})
    with pytest.raises(EventStreamError) as excinfo:
        list(response["Payload"])
    assert excinfo.value.response["Error"]["Code"] == error


def test_utcnow_reads_the_emulator_clock(aws: Harness, s3: Any, one: str) -> None:
    aws.emulator.clock.advance(10 * 86400)
    answer = select(s3, one, "one.json", "SELECT UTCNOW() AS now FROM S3Object", LINES_IN)
    text = json.loads(answer.records)["now"]
    assert text.endswith("Z") and len(text) == len("2024-01-02T03:04:05.678Z")
    now = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    emulated = aws.emulator.clock.now()
    assert abs((emulated - now).total_seconds()) < 60
    assert now > dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=9)
