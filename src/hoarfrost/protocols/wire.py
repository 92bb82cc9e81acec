"""Wire primitives every protocol shares: timestamps, XML text escaping, base64."""

from __future__ import annotations

import base64
import calendar
import datetime as dt
import math
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

UTC = dt.UTC


def xml_escape(text: str) -> str:
    """Escape for XML text and attribute values. Membership tests first: most values hold none
    of the characters, and that is several times cheaper than ``str.translate``."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#xD;")
    return text


def format_float(value: Any) -> str:
    """A float as text on every wire: ``repr`` (shortest round trip), and AWS's spellings of
    the non-finite values (``float()`` reads all three back)."""
    number = float(value)
    if number != number:
        return "NaN"
    if number in (math.inf, -math.inf):
        return "Infinity" if number > 0 else "-Infinity"
    return repr(number)


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str | bytes) -> bytes:
    return base64.b64decode(text)


def as_datetime(value: dt.datetime | int | float | str) -> dt.datetime:
    """Any timestamp a handler may return, as an aware UTC datetime."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, UTC)
    return parse_timestamp(value)


def format_timestamp(value: dt.datetime | int | float | str, timestamp_format: str) -> str | int | float:
    """``iso8601`` (millisecond precision, ``Z``), ``rfc822`` or ``unixTimestamp``."""
    if timestamp_format == "iso8601" and type(value) is dt.datetime:
        # The usual UTC (or naive, read as UTC) datetime: datetime's C formatter.
        offset = value.utcoffset()
        if offset is None:
            return value.isoformat(timespec="milliseconds") + "Z"
        if not offset:
            return value.isoformat(timespec="milliseconds")[:-6] + "Z"
    when = as_datetime(value)
    if timestamp_format == "iso8601":
        if when.utcoffset():
            when = when.astimezone(UTC)
        # f-string formatting: several times faster than strftime on large listings.
        return (f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}:"
                f"{when.second:02d}.{when.microsecond // 1000:03d}Z")
    if timestamp_format == "rfc822":
        return formatdate(calendar.timegm(when.utctimetuple()), usegmt=True)
    seconds = calendar.timegm(when.utctimetuple())
    millis = when.microsecond // 1000
    return seconds + millis / 1000 if millis else seconds


def parse_timestamp(value: str | int | float) -> dt.datetime:
    """Parse any of the three timestamp formats (clients are lenient about which they send)."""
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, UTC)
    text = value.strip()
    try:
        return dt.datetime.fromtimestamp(float(text), UTC)
    except ValueError:
        pass
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except ValueError:
        pass
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not a timestamp: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
