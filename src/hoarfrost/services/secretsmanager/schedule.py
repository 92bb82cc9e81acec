"""Rotation schedules: when a secret next rotates, by the emulator's clock.

RotationRules name a schedule three ways: ``AutomaticallyAfterDays``, ``rate(N days|hours)``
or ``cron(minutes hours day-of-month month day-of-week year)`` (EventBridge's six fields, where
one of day-of-month and day-of-week is ``?``). ``next_rotation`` answers the first moment the
schedule names after a given time; a cron field this module does not evaluate (``L``, ``W``,
``#``) leaves the date unknown (None), which DescribeSecret then leaves out.
"""

from __future__ import annotations

import datetime as dt
import re

from hoarfrost.services.secretsmanager.state import DAY, RotationRules

RATE = re.compile(r"rate\((\d+) (hour|hours|day|days)\)")
CRON = re.compile(r"cron\(([^()]+)\)")
_MONTHS = {name: i for i, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}
_DAYS = {name: i for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}
# (low, high, names) of the six cron fields
_FIELDS: tuple[tuple[int, int, dict[str, int]], ...] = (
    (0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, _MONTHS), (1, 7, _DAYS), (1970, 2199, {}))
# How far ahead a cron schedule is searched for its next moment.
_HORIZON_DAYS = 366 * 5


class CronError(ValueError):
    """A cron expression that is not EventBridge's syntax."""


def _value(text: str, names: dict[str, int]) -> int:
    if text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise CronError(text)
    return int(text)


def _field(text: str, low: int, high: int, names: dict[str, int]) -> frozenset[int] | None:
    """The values a field allows; None for ``?`` (any, the other day field decides)."""
    if text == "?":
        return None
    allowed: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise CronError(part)
        if body == "*":
            start, end = low, high
        elif "-" in body:
            first, last = body.split("-", 1)
            start, end = _value(first, names), _value(last, names)
        else:
            start = _value(body, names)
            end = high if step else start
        if not low <= start <= high or not low <= end <= high or start > end:
            raise CronError(part)
        allowed.update(range(start, end + 1, step or 1))
    return frozenset(allowed)


def parse_cron(expression: str) -> tuple[frozenset[int] | None, ...]:
    """The six fields of ``cron(...)``; raises CronError (also for ``L``/``W``/``#``)."""
    match = CRON.fullmatch(expression)
    fields = match.group(1).split() if match else []
    if len(fields) != 6:
        raise CronError(expression)
    parsed = tuple(_field(text, low, high, names) for text, (low, high, names) in zip(fields, _FIELDS, strict=False))
    if (parsed[2] is None) == (parsed[4] is None):
        raise CronError("one of day-of-month and day-of-week must be '?'")
    if parsed[0] is None or parsed[1] is None or parsed[3] is None or parsed[5] is None:
        raise CronError("only the day fields may be '?'")
    return parsed


def _cron_after(fields: tuple[frozenset[int] | None, ...], base: float) -> float | None:
    minutes, hours, month_days, months, week_days, years = fields
    assert minutes is not None and hours is not None and months is not None and years is not None
    start = dt.datetime.fromtimestamp(base, dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    day = start.replace(hour=0, minute=0)
    for _ in range(_HORIZON_DAYS):
        weekday = day.isoweekday() % 7 + 1  # SUN=1 .. SAT=7
        if (day.year in years and day.month in months
                and (month_days is None or day.day in month_days) and (week_days is None or weekday in week_days)):
            for hour in sorted(hours):
                for minute in sorted(minutes):
                    moment = day.replace(hour=hour, minute=minute)
                    if moment >= start:
                        return moment.timestamp()
        day += dt.timedelta(days=1)
    return None


def next_rotation(rules: RotationRules | None, base: float) -> float | None:
    """The first moment after ``base`` the schedule names (None when there is none to compute)."""
    if rules is None:
        return None
    if rules.automatically_after_days is not None:
        return base + rules.automatically_after_days * DAY
    expression = rules.schedule_expression or ""
    match = RATE.fullmatch(expression)
    if match is not None:
        unit = 3600.0 if match.group(2).startswith("hour") else DAY
        return base + int(match.group(1)) * unit
    try:
        return _cron_after(parse_cron(expression), base)
    except CronError:
        return None
