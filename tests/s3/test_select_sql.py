"""S3 Select's SQL through boto3: a table of queries over a CSV and a JSON object, each with
the exact records S3 answers (JSON output), and the errors bad SQL gets before the stream."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.s3.conftest import code, status
from tests.s3.test_select_helpers import CSV_PEOPLE, JSON_LINES, LINES_IN, select


@pytest.fixture
def data(s3: Any, bucket: str) -> str:
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV_PEOPLE)
    s3.put_object(Bucket=bucket, Key="items.jsonl", Body=JSON_LINES)
    return bucket


CSV_CASES = [
    # projection
    ("SELECT * FROM S3Object LIMIT 1",
     '{"name":"Alice","age":"30","city":"Paris","joined":"2020-01-15T"}'),
    ("SELECT s.name FROM S3Object s",
     '{"name":"Alice"}\n{"name":"Bob"}\n{"name":"Carol"}\n{"name":"dave"}'),
    ("SELECT name AS who, s.city FROM S3Object AS s LIMIT 2",
     '{"who":"Alice","city":"Paris"}\n{"who":"Bob","city":"Lyon, FR"}'),
    ("SELECT _1, s._3 FROM S3Object s LIMIT 1", '{"_1":"Alice","_3":"Paris"}'),
    ('SELECT s."name", NAME FROM S3Object s LIMIT 1', '{"name":"Alice","NAME":"Alice"}'),
    ("SELECT s.name, s.nothing FROM S3Object s LIMIT 1", '{"name":"Alice"}'),
    ("SELECT UPPER(name), 'x' FROM s3object LIMIT 1", '{"_1":"ALICE","_2":"x"}'),
    # where
    ("SELECT name FROM S3Object WHERE city = 'Paris'", '{"name":"Alice"}\n{"name":"dave"}'),
    ("SELECT name FROM S3Object WHERE city <> 'Paris' AND city != 'Nice'", '{"name":"Bob"}'),
    ("SELECT name FROM S3Object WHERE CAST(age AS INT) >= 30", '{"name":"Alice"}\n{"name":"Carol"}'),
    ("SELECT name FROM S3Object WHERE age > 26", ""),  # text is no number until CAST
    ("SELECT name FROM S3Object WHERE age > '26'", '{"name":"Alice"}\n{"name":"Carol"}'),
    ("SELECT name FROM S3Object WHERE CAST(age AS INT) BETWEEN 18 AND 30", '{"name":"Alice"}\n{"name":"Bob"}'),
    ("SELECT name FROM S3Object WHERE CAST(age AS INT) NOT BETWEEN 18 AND 30", '{"name":"Carol"}\n{"name":"dave"}'),
    ("SELECT name FROM S3Object WHERE name IN ('Bob', 'dave', 'Zed')", '{"name":"Bob"}\n{"name":"dave"}'),
    ("SELECT name FROM S3Object WHERE name NOT IN ('Bob', 'dave')", '{"name":"Alice"}\n{"name":"Carol"}'),
    ("SELECT name FROM S3Object WHERE name LIKE '_a%'", '{"name":"Carol"}\n{"name":"dave"}'),
    ("SELECT name FROM S3Object WHERE city LIKE '%, FR'", '{"name":"Bob"}'),
    ("SELECT name FROM S3Object WHERE name NOT LIKE '%a%'", '{"name":"Alice"}\n{"name":"Bob"}'),  # case-sensitive
    ("SELECT name FROM S3Object WHERE LOWER(name) LIKE 'd%'", '{"name":"dave"}'),
    ("SELECT name FROM S3Object WHERE city = 'Paris' OR NOT (CAST(age AS INT) < 40)",
     '{"name":"Alice"}\n{"name":"Carol"}\n{"name":"dave"}'),
    ("SELECT name FROM S3Object s WHERE s.missing IS MISSING AND s.name IS NOT MISSING LIMIT 1",
     '{"name":"Alice"}'),
    ("SELECT name FROM S3Object WHERE name IS NOT NULL LIMIT 1", '{"name":"Alice"}'),
    ("SELECT name FROM S3Object WHERE _5 IS NULL LIMIT 1", '{"name":"Alice"}'),
    # arithmetic, CAST and strings
    ("SELECT CAST(age AS INT) + 1 AS next, CAST(age AS FLOAT) / 4 AS q FROM S3Object LIMIT 1",
     '{"next":31,"q":7.5}'),
    ("SELECT CAST(age AS INT) / 4, CAST(age AS INT) % 4, CAST(age AS DECIMAL) * 1.5 FROM S3Object LIMIT 1",
     '{"_1":7,"_2":2,"_3":45.0}'),
    ("SELECT CAST(age AS STRING) || '/' || city AS label FROM S3Object LIMIT 1", '{"label":"30/Paris"}'),
    ("SELECT CHAR_LENGTH(city), CHARACTER_LENGTH(name), SUBSTRING(city, 2, 3), TRIM(LEADING 'P' FROM city) "
     "FROM S3Object LIMIT 1", '{"_1":5,"_2":5,"_3":"ari","_4":"aris"}'),
    ("SELECT CAST(joined AS TIMESTAMP) AS t, EXTRACT(YEAR FROM CAST(joined AS TIMESTAMP)) AS y FROM S3Object "
     "WHERE name = 'dave'", '{"t":"2022-02-28T10:30Z","y":2022}'),
    ("SELECT DATE_DIFF(day, TO_TIMESTAMP(joined), `2020-02-15T`) AS d FROM S3Object LIMIT 1", '{"d":31}'),
    ("SELECT TO_STRING(TO_TIMESTAMP(joined), 'MMM d, yyyy') AS d FROM S3Object LIMIT 1", '{"d":"Jan 15, 2020"}'),
    ("SELECT COALESCE(s.nothing, s.name) AS n, NULLIF(city, 'Paris') AS c FROM S3Object s LIMIT 1",
     '{"n":"Alice","c":null}'),
    ("SELECT CASE WHEN CAST(age AS INT) < 18 THEN 'minor' ELSE 'adult' END AS k FROM S3Object "
     "WHERE name IN ('Alice', 'dave')", '{"k":"adult"}\n{"k":"minor"}'),
    # aggregates
    ("SELECT COUNT(*) FROM S3Object", '{"_1":4}'),
    ("SELECT COUNT(*) AS n FROM S3Object WHERE city = 'Paris'", '{"n":2}'),
    ("SELECT SUM(CAST(age AS INT)) AS s, AVG(CAST(age AS INT)) AS a, MIN(CAST(age AS INT)) AS lo, "
     "MAX(CAST(age AS INT)) AS hi FROM S3Object", '{"s":113,"a":28.25,"lo":17,"hi":41}'),
    ("SELECT MAX(name), MIN(city), COUNT(s.nothing) FROM S3Object s", '{"_1":"dave","_2":"Lyon, FR","_3":0}'),
    ("SELECT SUM(CAST(age AS INT)) FROM S3Object WHERE city = 'Nowhere'", '{"_1":null}'),
    ("SELECT COUNT(*) + 1 AS n FROM S3Object LIMIT 5", '{"n":5}'),
    # limit
    ("SELECT name FROM S3Object LIMIT 0", ""),
    ("select name from s3object where city = 'Paris' limit 1", '{"name":"Alice"}'),
]


def _mismatches(s3: Any, bucket: str, key: str, cases: list[tuple[str, str]],
                source: dict[str, Any] | None = None) -> list[tuple[str, str, str]]:
    """(sql, got, expected) for each case whose records differ. The table runs in one test per
    mode (one emulator, one bucket) so it stays fast; a failure still names every bad query."""
    wrong = []
    for sql, expected in cases:
        got = select(s3, bucket, key, sql, source).records
        if got != (expected + "\n" if expected else ""):
            wrong.append((sql, got, expected))
    return wrong


def test_sql_over_csv(s3: Any, data: str) -> None:
    assert _mismatches(s3, data, "people.csv", CSV_CASES) == []


JSON_CASES = [
    ("SELECT * FROM S3Object s WHERE s.id = 3", '{"id":3,"name":"Cy","info":{"active":true}}'),
    ("SELECT s.name, s.info.score FROM S3Object s",
     '{"name":"Ann","score":9.5}\n{"name":"Ben","score":7}\n{"name":"Cy"}'),
    ("SELECT s.tags[1] AS second, s.tags[0] FROM S3Object s WHERE s.id = 1", '{"second":"b","_2":"a"}'),
    ("SELECT s.id FROM S3Object s WHERE s.info.active = true", '{"id":1}\n{"id":3}'),
    ("SELECT s.id FROM S3Object s WHERE s.info.score > 8", '{"id":1}'),
    ("SELECT s.id FROM S3Object s WHERE s.info.score IS MISSING", '{"id":3}'),
    ("SELECT s.id FROM S3Object s WHERE s.extra IS NULL", '{"id":1}\n{"id":2}\n{"id":3}'),
    ("SELECT s.id FROM S3Object s WHERE s.extra IS NULL AND s.extra IS NOT MISSING", '{"id":2}'),
    ("SELECT s.id, s.extra FROM S3Object s WHERE s.id < 3", '{"id":1}\n{"id":2,"extra":null}'),
    ("SELECT s.id * 10 + 1 AS v FROM S3Object s WHERE s.id IN (1, 2)", '{"v":11}\n{"v":21}'),
    ("SELECT SUM(s.info.score) AS total, AVG(s.id) AS mean, COUNT(s.info.score) AS n FROM S3Object s",
     '{"total":16.5,"mean":2,"n":2}'),
    ("SELECT s.ID, s.\"ID\" FROM S3Object s LIMIT 1", '{"ID":1}'),
    ("SELECT * FROM S3Object[*].tags[*] t", '{"_1":"a"}\n{"_1":"b"}'),
    ("SELECT t FROM S3Object[*].info t WHERE t.active", '{"_1":{"score":9.5,"active":true}}\n{"_1":{"active":true}}'),
    ("SELECT s.name FROM S3Object[*] s LIMIT 2", '{"name":"Ann"}\n{"name":"Ben"}'),
]


def test_sql_over_json(s3: Any, data: str) -> None:
    assert _mismatches(s3, data, "items.jsonl", JSON_CASES, LINES_IN) == []


ERROR_CASES = [
    ("SELEC * FROM S3Object", "ParseUnexpectedToken"),
    ("SELECT FROM S3Object", "ParseEmptySelect"),
    ("SELECT name", "ParseSelectMissingFrom"),
    ("SELECT name FROM S3Object WHERE", "ParseExpectedExpression"),
    ("SELECT name FROM S3Object WHERE age >", "ParseExpectedExpression"),
    ("SELECT *, name FROM S3Object", "ParseAsteriskIsNotAloneInSelectList"),
    ("SELECT name FROM S3Object LIMIT x", "ParseExpectedNumber"),
    ("SELECT name FROM S3Object WHERE name = 'unterminated", "LexerInvalidLiteral"),
    ("SELECT name FROM S3Object WHERE name # 1", "LexerInvalidChar"),
    ("SELECT CAST(age AS WIDGET) FROM S3Object", "ParseExpectedTypeName"),
    ("SELECT CAST age AS INT FROM S3Object", "ParseExpectedLeftParenAfterCast"),
    ("SELECT UPPER(name FROM S3Object", "ParseExpectedRightParenBuiltinFunctionCall"),
    ("SELECT name AS FROM S3Object", "ParseExpectedIdentForAlias"),
    ("SELECT SOUNDEX(name) FROM S3Object", "UnsupportedFunction"),
    ("SELECT UPPER(name, city) FROM S3Object", "EvaluatorInvalidArguments"),
    ("SELECT SUM(*) FROM S3Object", "ParseUnsupportedCallWithStar"),
    ("SELECT name, COUNT(*) FROM S3Object", "UnsupportedSyntax"),
    ("SELECT name FROM S3Object WHERE COUNT(*) > 1", "UnsupportedSyntax"),
    ("SELECT SUM(age, name) FROM S3Object", "ParseNonUnaryAgregateFunctionCall"),
    ("SELECT name FROM S3Object LIMIT -1", "EvaluatorNegativeLimit"),
    ("SELECT name FROM S3Object ORDER BY name", "UnsupportedSyntax"),
    ("SELECT DISTINCT name FROM S3Object", "UnsupportedSyntax"),
    ("SELECT name FROM S3Object s, S3Object t", "UnsupportedSyntax"),
    ("SELECT _0 FROM S3Object", "InvalidColumnIndex"),
    ("SELECT DATE_ADD(fortnight, 1, UTCNOW()) FROM S3Object", "IncorrectSqlFunctionArgumentType"),
]


def test_bad_sql_is_refused_before_the_stream(s3: Any, data: str) -> None:
    answers = []
    for sql, _ in ERROR_CASES:
        with pytest.raises(ClientError) as excinfo:
            s3.select_object_content(Bucket=data, Key="people.csv", Expression=sql, ExpressionType="SQL",
                                     InputSerialization={"CSV": {"FileHeaderInfo": "USE"}},
                                     OutputSerialization={"JSON": {}})
        assert excinfo.value.response["Error"]["Message"]
        answers.append((sql, code(excinfo), status(excinfo)))
    assert answers == [(sql, error, 400) for sql, error in ERROR_CASES]
