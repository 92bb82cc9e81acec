"""S3 Select's scalar functions: strings (LOWER, UPPER, TRIM, SUBSTRING, CHAR_LENGTH), dates
(UTCNOW, DATE_ADD, DATE_DIFF, EXTRACT, TO_STRING, TO_TIMESTAMP) and COALESCE / NULLIF.

Each takes already evaluated arguments. An absent argument (NULL or MISSING) gives NULL, as
does a value of the wrong type (permissive mode), except where AWS fails the query (a
timestamp that does not parse, a format pattern it does not know).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from hoarfrost.services.s3.select.errors import select_error
from hoarfrost.services.s3.select.values import (
    MISSING,
    Timestamp,
    absent,
    as_number,
    equal,
    parse_timestamp,
)

_PRECISION_RANK = {"year": 0, "month": 1, "day": 2, "minute": 3, "second": 4, "fraction": 5}
_PART_PRECISION = {"year": "year", "month": "month", "day": "day", "hour": "minute", "minute": "minute",
                   "second": "second"}


def lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else None


def upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else None


def char_length(value: Any) -> Any:
    return len(value) if isinstance(value, str) else None


def substring(value: Any, start: Any, length: Any = MISSING) -> Any:
    """SQL's SUBSTRING: 1-based; a start before 1 still counts against the length."""
    begin = as_number(start)
    if not isinstance(value, str) or begin is None:
        return None
    begin = int(begin)
    if length is MISSING:
        return value[max(begin, 1) - 1:]
    count = as_number(length)
    if count is None:
        return None
    if count < 0:
        raise select_error("IncorrectSqlFunctionArgumentType")
    stop = begin + int(count)
    return value[max(begin, 1) - 1:max(stop - 1, 0)]


def trim(value: Any, where: str, chars: Any) -> Any:
    if not isinstance(value, str):
        return None
    if chars is None:
        chars = " "
    if not isinstance(chars, str):
        return None
    if where == "leading":
        return value.lstrip(chars)
    if where == "trailing":
        return value.rstrip(chars)
    return value.strip(chars)


def coalesce(*values: Any) -> Any:
    for value in values:
        if not absent(value):
            return value
    return None


def nullif(a: Any, b: Any) -> Any:
    """NULL when the two are equal; an absent first value is NULL (never MISSING)."""
    return None if absent(a) or equal(a, b) else a


def to_timestamp(value: Any) -> Any:
    if absent(value):
        return None
    if isinstance(value, Timestamp):
        return value
    if not isinstance(value, str):
        raise select_error("IncorrectSqlFunctionArgumentType")
    return parse_timestamp(value)


def _stamp(value: Any) -> Timestamp | None:
    if isinstance(value, Timestamp):
        return value
    if isinstance(value, str):
        return parse_timestamp(value)
    if absent(value):
        return None
    raise select_error("IncorrectSqlFunctionArgumentType")


def _add_months(moment: dt.datetime, months: int) -> dt.datetime:
    total = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def date_add(part: str, quantity: Any, value: Any) -> Any:
    stamp = _stamp(value)
    amount = as_number(quantity)
    if stamp is None or amount is None:
        return None
    amount = int(amount)
    try:
        if part == "year":
            moment = _add_months(stamp.moment, 12 * amount)
        elif part == "month":
            moment = _add_months(stamp.moment, amount)
        elif part in ("day", "hour", "minute", "second"):
            moment = stamp.moment + dt.timedelta(**{part + "s": amount})
        else:
            raise select_error("IncorrectSqlFunctionArgumentType")
    except (OverflowError, ValueError):
        raise select_error("IntegerOverflow") from None
    precision = stamp.precision
    wanted = _PART_PRECISION[part]
    if _PRECISION_RANK[wanted] > _PRECISION_RANK[precision]:
        precision = wanted
    return Timestamp(moment, precision, stamp.digits, stamp.known_offset)


def date_diff(part: str, first: Any, second: Any) -> Any:
    a, b = _stamp(first), _stamp(second)
    if a is None or b is None:
        return None
    x, y = a.moment.astimezone(dt.UTC), b.moment.astimezone(dt.UTC)
    if part in ("year", "month"):
        months = (y.year - x.year) * 12 + (y.month - x.month)
        rest_x = (x.day, x.hour, x.minute, x.second, x.microsecond)
        rest_y = (y.day, y.hour, y.minute, y.second, y.microsecond)
        if months > 0 and rest_y < rest_x:
            months -= 1
        elif months < 0 and rest_y > rest_x:
            months += 1
        return int(months / 12) if part == "year" else months
    unit = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}.get(part)
    if unit is None:
        raise select_error("IncorrectSqlFunctionArgumentType")
    seconds = (y - x).total_seconds()
    return int(seconds / unit)


def extract(part: str, value: Any) -> Any:
    stamp = _stamp(value)
    if stamp is None:
        return None
    moment = stamp.moment
    if part == "timezone_hour" or part == "timezone_minute":
        minutes = int((moment.utcoffset() or dt.timedelta()).total_seconds() // 60)
        sign = -1 if minutes < 0 else 1
        return sign * (abs(minutes) // 60) if part == "timezone_hour" else sign * (abs(minutes) % 60)
    return getattr(moment, part)


_FORMAT_TOKEN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|.", re.DOTALL)


def _format_piece(piece: str, m: dt.datetime) -> str:
    letter, width = piece[0], len(piece)
    hour12 = m.hour % 12 or 12
    offset = m.utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    if letter == "y":
        return f"{m.year % 100:02d}" if width == 2 else f"{m.year:0{width}d}"
    if letter == "M":
        if width >= 4:
            return calendar.month_name[m.month]
        if width == 3:
            return calendar.month_abbr[m.month]
        return f"{m.month:0{width}d}"
    simple: dict[str, int] = {"d": m.day, "h": hour12, "H": m.hour, "m": m.minute, "s": m.second}
    if letter in simple:
        return f"{simple[letter]:0{width}d}"
    if letter == "a":
        return "AM" if m.hour < 12 else "PM"
    if letter == "S":
        return f"{m.microsecond:06d}000"[:width]
    if letter == "n":
        return str(m.microsecond * 1000)
    if letter in "Xx":
        if letter == "X" and minutes == 0:
            return "Z"
        sign = "+" if minutes >= 0 else "-"
        hours, mins = abs(minutes) // 60, abs(minutes) % 60
        if width == 1:  # Java's X: +08, or +0530 when there are minutes
            return f"{sign}{hours:02d}" + (f"{mins:02d}" if mins else "")
        if width in (2, 4):
            return f"{sign}{hours:02d}{mins:02d}"
        return f"{sign}{hours:02d}:{mins:02d}"
    raise select_error("EvaluatorInvalidTimestampFormatPattern")


def to_string(value: Any, pattern: Any) -> Any:
    """TO_STRING(timestamp, pattern) with the Java-style letters S3 Select documents."""
    stamp = _stamp(value)
    if stamp is None or absent(pattern):
        return None
    if not isinstance(pattern, str):
        raise select_error("IncorrectSqlFunctionArgumentType")
    out: list[str] = []
    for match in _FORMAT_TOKEN.finditer(pattern):
        piece = match.group()
        if piece.startswith("'"):
            out.append(piece[1:-1].replace("''", "'") if len(piece) > 1 else "")
        elif piece[0].isalpha():
            out.append(_format_piece(piece, stamp.moment))
        else:
            out.append(piece)
    return "".join(out)


def utcnow_of(now: dt.datetime) -> Callable[[], Timestamp]:
    stamp = Timestamp(now.astimezone(dt.UTC), "fraction", 3)
    return lambda: stamp


SCALARS: dict[str, Callable[..., Any]] = {
    "lower": lower, "upper": upper, "char_length": char_length, "character_length": char_length,
    "substring": substring, "trim": trim, "coalesce": coalesce, "nullif": nullif,
    "to_timestamp": to_timestamp, "date_add": date_add, "date_diff": date_diff, "extract": extract,
    "to_string": to_string,
}
