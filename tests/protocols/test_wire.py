"""The wire primitives every protocol shares."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from defusedxml import ElementTree

from hoarfrost.protocols import wire


def test_xml_escape_survives_an_xml_parser_in_text_and_attributes() -> None:
    alphabet = ["a", "&", "<", ">", '"', "'", "\r", "\n", "é", ";", "&amp;"]
    for size in range(4):
        for parts in itertools.product(alphabet, repeat=size):
            text = "".join(parts)
            escaped = wire.xml_escape(text)
            element = ElementTree.fromstring(f'<e a="{escaped}">{escaped}</e>')
            assert (element.text or "") == text
            assert element.get("a") == text.replace("\n", " ")  # attribute-value normalisation


@pytest.mark.parametrize(("value", "expected"), [
    (dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.timezone.utc), "2026-01-02T03:04:05.678Z"),
    (dt.datetime(2026, 1, 2, 3, 4, 5), "2026-01-02T03:04:05.000Z"),  # naive: read as UTC
    (dt.datetime(5, 1, 2, 3, 4, 5, 999, tzinfo=dt.timezone.utc), "0005-01-02T03:04:05.000Z"),
    (dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.timezone(dt.timedelta(hours=5))),
     "2026-01-01T22:04:05.678Z"),
    (1700000000.5, "2023-11-14T22:13:20.500Z"),
    ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05.000Z"),
])
def test_iso8601_is_utc_with_milliseconds(value: object, expected: str) -> None:
    assert wire.format_timestamp(value, "iso8601") == expected  # type: ignore[arg-type]


def test_other_timestamp_formats_and_parsing() -> None:
    when = dt.datetime(2020, 1, 2, 3, 4, 5, 678000, tzinfo=dt.timezone.utc)
    assert wire.format_timestamp(when, "rfc822") == "Thu, 02 Jan 2020 03:04:05 GMT"
    assert wire.format_timestamp(when, "unixTimestamp") == 1577934245.678
    for text in ("2020-01-02T03:04:05.678Z", "1577934245.678", "Thu, 02 Jan 2020 03:04:05 GMT"):
        assert abs(wire.parse_timestamp(text) - when) < dt.timedelta(seconds=1)
    with pytest.raises(ValueError):
        wire.parse_timestamp("not a time")


@pytest.mark.parametrize(("value", "text"), [(1.5, "1.5"), (0.1, "0.1"), (3, "3.0"), (float("nan"), "NaN"),
                                             (float("inf"), "Infinity"), (float("-inf"), "-Infinity")])
def test_format_float_round_trips_through_float(value: float, text: str) -> None:
    assert wire.format_float(value) == text
    parsed = float(text)
    assert parsed == value or (parsed != parsed and value != value)
