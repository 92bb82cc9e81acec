"""Helpers of the S3 Select tests (no tests here; named test_select_* to sit with them): run a
query through boto3 and read the event stream."""

from __future__ import annotations

import dataclasses
from typing import Any

CSV_PEOPLE = (
    b"name,age,city,joined\n"
    b"Alice,30,Paris,2020-01-15T\n"
    b'Bob,25,"Lyon, FR",2021-06-01T\n'
    b"Carol,41,Nice,2019-11-30T\n"
    b"dave,17,Paris,2022-02-28T10:30Z\n"
)
JSON_LINES = (
    b'{"id": 1, "name": "Ann", "tags": ["a", "b"], "info": {"score": 9.5, "active": true}}\n'
    b'{"id": 2, "name": "Ben", "tags": [], "info": {"score": 7, "active": false}, "extra": null}\n'
    b'{"id": 3, "name": "Cy", "info": {"active": true}}\n'
)
CSV_IN = {"CSV": {"FileHeaderInfo": "USE"}}
LINES_IN = {"JSON": {"Type": "LINES"}}
JSON_OUT = {"JSON": {}}
CSV_OUT = {"CSV": {}}


@dataclasses.dataclass
class Answer:
    records: str
    events: list[dict[str, Any]]

    @property
    def stats(self) -> dict[str, int]:
        return next(e["Stats"]["Details"] for e in self.events if "Stats" in e)

    def kinds(self) -> list[str]:
        return [next(iter(event)) for event in self.events]


def select(s3: Any, bucket: str, key: str, sql: str, source: dict[str, Any] | None = None,
           target: dict[str, Any] | None = None, **extra: Any) -> Answer:
    response = s3.select_object_content(Bucket=bucket, Key=key, Expression=sql, ExpressionType="SQL",
                                        InputSerialization=source or CSV_IN, OutputSerialization=target or JSON_OUT,
                                        **extra)
    events = list(response["Payload"])
    records = b"".join(e["Records"]["Payload"] for e in events if "Records" in e).decode("utf-8")
    return Answer(records, events)
