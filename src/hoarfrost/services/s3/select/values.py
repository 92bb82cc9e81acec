"""The values an S3 Select expression works with, and the rules they follow.

S3 Select is PartiQL over Ion's types: NULL and MISSING (an absent field) are two different
absences, numbers are INT, DECIMAL (literals such as ``1.5``) or FLOAT, timestamps keep the
precision they were written with. Comparisons and arithmetic follow the permissive mode AWS
runs in: a value of the wrong type gives NULL rather than failing the query, and a CSV field
(always text) that reads as a number compares and adds as that number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from hoarfrost.services.s3.select.errors import select_error

INT_MIN, INT_MAX = -(2**63), 2**63 - 1


class _Missing:
    """An absent field: not NULL; dropped from JSON output, empty in CSV output."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


def absent(value: Any) -> bool:
    return value is None or value is MISSING


@dataclasses.dataclass(frozen=True, slots=True)
class Timestamp:
    """An instant with the precision it was written in (year, month, day, minute, second,
    fraction), which is how it is written back out."""

    moment: dt.datetime  # always timezone-aware (UTC when the offset is unknown)
    precision: str = "fraction"
    digits: int = 3  # fraction digits shown when precision is "fraction"
    # A date has no offset; a time added to it keeps it unknown, written ``-00:00`` as Ion does.
    known_offset: bool = True

    def __str__(self) -> str:
        m = self.moment
        if self.precision == "year":
            return f"{m.year:04d}T"
        if self.precision == "month":
            return f"{m.year:04d}-{m.month:02d}T"
        if self.precision == "day":
            return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T"
        text = f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}"
        if self.precision in ("second", "fraction"):
            text += f":{m.second:02d}"
        if self.precision == "fraction":
            text += "." + f"{m.microsecond:06d}"[: self.digits].ljust(self.digits, "0")
        return text + (offset_text(m) if self.known_offset else "-00:00")

    def __lt__(self, other: Timestamp) -> bool:
        return self.moment < other.moment

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Timestamp) and self.moment == other.moment

    def __hash__(self) -> int:
        return hash(self.moment)


def offset_text(moment: dt.datetime) -> str:
    offset = moment.utcoffset() or dt.timedelta()
    if not offset:
        return "Z"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


_STAMP = re.compile(
    r"(?P<y>\d{4})(?:-(?P<mo>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d+))?)?(?P<z>Z|[+-]\d{2}:\d{2})?)?)?)?(?P<t>T?)$",
    re.IGNORECASE)


def parse_timestamp(text: str) -> Timestamp:
    """A timestamp in the W3C / Ion text forms S3 Select reads (``2007T``, ``2007-02-23``,
    ``2007-02-23T12:14Z``, ``2007-02-23T12:14:33.079-08:00``); ValueParseFailure otherwise."""
    match = _STAMP.match(text.strip())
    if match is None:
        raise select_error("ValueParseFailure")
    g = match.groupdict()
    if (g["mo"] is None or g["d"] is None) and not g["t"]:
        raise select_error("ValueParseFailure")  # a bare year or month needs its trailing T
    if g["h"] is not None and g["t"]:
        raise select_error("ValueParseFailure")
    try:
        tz = dt.UTC
        if g["z"] and g["z"].upper() != "Z":
            sign = 1 if g["z"][0] == "+" else -1
            tz = dt.timezone(sign * dt.timedelta(hours=int(g["z"][1:3]), minutes=int(g["z"][4:6])))
        fraction = g["f"] or ""
        moment = dt.datetime(int(g["y"]), int(g["mo"] or 1), int(g["d"] or 1), int(g["h"] or 0),
                             int(g["mi"] or 0), int(g["s"] or 0), int(fraction[:6].ljust(6, "0") or 0), tzinfo=tz)
    except ValueError:
        raise select_error("ValueParseFailure") from None
    if g["mo"] is None:
        precision = "year"
    elif g["d"] is None:
        precision = "month"
    elif g["h"] is None:
        precision = "day"
    elif g["s"] is None:
        precision = "minute"
    elif not fraction:
        precision = "second"
    else:
        precision = "fraction"
    known = bool(g["z"]) and g["z"] != "-00:00"
    return Timestamp(moment, precision, max(len(fraction), 1), known)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def number_of_text(text: str) -> int | Decimal | float | None:
    """The number a text field reads as (``"42"``, ``"-1.5"``, ``"1e3"``), else None."""
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return float(value) if "e" in text.lower() else value


def as_number(value: Any) -> int | float | Decimal | None:
    """A number as is, else None: text is not a number until CAST makes it one."""
    return value if is_number(value) else None


def _same_kind(a: Any, b: Any) -> tuple[Any, Any] | None:
    """``a`` and ``b`` as values that compare, or None when their types do not (a number and
    text never do: ``NULLIF(1, '1')`` is 1 in S3 Select, so a CSV field must be CAST)."""
    if is_number(a) and is_number(b):
        if isinstance(a, float) or isinstance(b, float):
            return float(a), float(b)
        return a, b
    if isinstance(a, Timestamp) and isinstance(b, Timestamp):
        return a.moment, b.moment
    if type(a) is type(b):
        return a, b
    return None


_PLAIN = frozenset({int, float, str, Decimal, bool})


def compare(a: Any, b: Any) -> int | None:
    """-1, 0 or 1; None when either side is absent or they do not compare (NULL)."""
    kind = type(a)
    if kind is type(b) and kind in _PLAIN:  # the common case, without the general rules
        return (a > b) - (a < b)  # type: ignore[no-any-return]
    if absent(a) or absent(b):
        return None
    pair = _same_kind(a, b)
    if pair is None:
        return None
    x, y = pair
    try:
        return -1 if x < y else 1 if x > y else 0
    except TypeError:  # lists, structs: only equality means something
        return 0 if x == y else None


def equal(a: Any, b: Any) -> bool | None:
    kind = type(a)
    if kind is type(b) and kind in _PLAIN:
        return bool(a == b)
    if absent(a) or absent(b):
        return None
    pair = _same_kind(a, b)
    if pair is None:
        return False
    return bool(pair[0] == pair[1])


def to_text(value: Any) -> str:
    """A value as S3 Select writes it in text (CAST AS STRING, CSV output)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return "nan" if math.isnan(value) else ("+inf" if value > 0 else "-inf")
        return repr(value)
    if isinstance(value, (int, Decimal, Timestamp)):
        return str(value)
    if absent(value):
        return ""
    return json_text(value)


json_string = json.encoder.encode_basestring  # C speed-up, UTF-8 kept


def json_text(value: Any) -> str:
    """A value as JSON text; decimals keep their digits, timestamps are strings."""
    if type(value) is str:
        return json_string(value)
    if value is None or value is MISSING:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        text = str(value)
        return text if "E" not in text and "e" not in text else repr(float(value))
    if isinstance(value, float):
        return json.dumps(value)
    if isinstance(value, Timestamp):
        return json_string(str(value))
    if isinstance(value, str):
        return json_string(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json_string(str(k))}:{json_text(v)}"
                              for k, v in value.items() if v is not MISSING) + "}"
    if isinstance(value, list):
        return "[" + ",".join(json_text(v) for v in value if v is not MISSING) + "]"
    return json_string(to_text(value))


def checked_int(value: int) -> int:
    if not INT_MIN <= value <= INT_MAX:
        raise select_error("IntegerOverflow")
    return value


def cast(value: Any, type_name: str) -> Any:
    """CAST(value AS type_name): CastFailed when the value cannot be that type."""
    if absent(value):
        return value
    try:
        result = _CASTS[type_name](value)
    except (ValueError, TypeError, InvalidOperation, ArithmeticError, OverflowError):
        raise select_error("CastFailed") from None
    return result


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        number = number_of_text(value)
        if number is None:
            raise ValueError(value)
        value = number
    if isinstance(value, (int, float, Decimal)):
        return checked_int(int(value))
    raise TypeError(value)


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        return float(value.strip())
    if is_number(value):
        return float(value)
    raise TypeError(value)


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, str):
        number = Decimal(value.strip())
        if not number.is_finite():
            raise ValueError(value)
        return number
    if isinstance(value, float):
        return Decimal(repr(value))
    if is_number(value):
        return Decimal(value)
    raise TypeError(value)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        raise ValueError(value)
    if is_number(value):
        return bool(value != 0)
    raise TypeError(value)


def _to_string(value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise TypeError(value)
    return to_text(value)


def _to_timestamp(value: Any) -> Timestamp:
    if isinstance(value, Timestamp):
        return value
    if isinstance(value, str):
        try:
            return parse_timestamp(value)
        except Exception:  # noqa: BLE001 - a CAST that fails is CastFailed, not ValueParseFailure
            raise ValueError(value) from None
    raise TypeError(value)


_CASTS = {
    "INT": _to_int, "INTEGER": _to_int, "FLOAT": _to_float, "REAL": _to_float, "DOUBLE": _to_float,
    "DECIMAL": _to_decimal, "NUMERIC": _to_decimal, "STRING": _to_string, "VARCHAR": _to_string,
    "CHAR": _to_string, "BOOL": _to_bool, "BOOLEAN": _to_bool, "TIMESTAMP": _to_timestamp,
}
CAST_TYPES = frozenset(_CASTS)
