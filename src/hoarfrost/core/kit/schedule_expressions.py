"""Schedule expressions: ``rate(...)``, ``cron(...)`` and ``at(...)``, parsed once and asked for
their next moment on the emulator's clock.

EventBridge rules take ``rate`` and ``cron``; EventBridge Scheduler adds the one-time ``at`` and
lets every kind run in a time zone. One parser serves both, so a cron that one service accepts
the other accepts too. Parsing validates fully (AWS refuses a bad expression when the rule or
schedule is written, not when it would fire); ``next_after`` is then pure arithmetic.

AWS's six-field cron (``minutes hours day-of-month month day-of-week year``) differs from Unix
cron: day-of-week counts 1 = SUN .. 7 = SAT, exactly one of day-of-month and day-of-week is
``?``, and it has Quartz's ``L`` (last), ``W`` (nearest weekday) and ``#`` (nth weekday).

Use: ``parse_schedule(text, kinds=("rate", "cron"))`` for an EventBridge rule (which answers a
``ScheduleError`` with "Parameter ScheduleExpression is not valid."), all kinds for Scheduler;
then ``schedule.next_after(moment, tz, anchor=...)`` for the first invocation strictly after
``moment`` (``anchor``: where a rate counts from, e.g. the rule's creation).

Time zones come from the standard library's ``zoneinfo``. Local times that a daylight-saving
change skips never fire; local times it repeats fire once, at their first occurrence (what AWS
documents for Scheduler).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

UTC = dt.UTC

Kind = Literal["rate", "cron", "at"]
ALL_KINDS: tuple[Kind, ...] = ("at", "rate", "cron")

# cron's year field: the range AWS accepts.
MIN_YEAR, MAX_YEAR = 1970, 2199

_MONTHS = {name: number for number, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
_WEEKDAYS = {name: number for number, name in enumerate(
    ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}

_RATE = re.compile(r"rate\((\d+)\s+([a-z]+)\)")
_CRON = re.compile(r"cron\((.*)\)", re.DOTALL)
_AT = re.compile(r"at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class ScheduleError(ValueError):
    """The expression (or time zone) is not valid; ``message`` says why. Services answer their
    own wording (EventBridge: "Parameter ScheduleExpression is not valid.")."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def zone(name: str | dt.tzinfo | None) -> dt.tzinfo:
    """The time zone named ``name`` (an IANA name such as ``Europe/Paris``); UTC for None."""
    if name is None:
        return UTC
    if isinstance(name, dt.tzinfo):
        return name
    if name in ("UTC", "Etc/UTC"):
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ScheduleError(f"Invalid time zone {name}.") from None


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A parsed expression. ``text`` is what the caller wrote, kept for echoing back."""

    text: str

    @property
    def kind(self) -> Kind:
        raise NotImplementedError

    def next_after(self, moment: dt.datetime, tz: str | dt.tzinfo | None = None, *,
                   anchor: dt.datetime | None = None) -> dt.datetime | None:
        """The first firing strictly after ``moment`` (an aware UTC datetime), or None when
        the schedule never fires again. ``anchor`` is where a ``rate`` counts from (a rule's
        creation, a schedule's start date)."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class RateSchedule(Schedule):
    """``rate(value unit)``: every ``seconds`` from an anchor."""

    value: int
    unit: str
    seconds: int

    @property
    def kind(self) -> Kind:
        return "rate"

    def next_after(self, moment: dt.datetime, tz: str | dt.tzinfo | None = None, *,
                   anchor: dt.datetime | None = None) -> dt.datetime | None:
        moment = _aware(moment)
        period = dt.timedelta(seconds=self.seconds)
        if anchor is None:
            return moment + period
        anchor = _aware(anchor)
        if anchor > moment:
            return anchor
        steps = (moment - anchor) // period + 1
        return anchor + steps * period


@dataclass(frozen=True, slots=True)
class AtSchedule(Schedule):
    """``at(yyyy-mm-ddThh:mm:ss)``: once, at a local time of the schedule's time zone."""

    local: dt.datetime  # naive: the wall-clock time written

    @property
    def kind(self) -> Kind:
        return "at"

    def moment(self, tz: str | dt.tzinfo | None = None) -> dt.datetime:
        """The instant (UTC) the expression names in ``tz``."""
        return self.local.replace(tzinfo=zone(tz)).astimezone(UTC)

    def next_after(self, moment: dt.datetime, tz: str | dt.tzinfo | None = None, *,
                   anchor: dt.datetime | None = None) -> dt.datetime | None:
        when = self.moment(tz)
        return when if when > _aware(moment) else None


# A day-of-month or day-of-week item: does it select this day of this month?
DayTest = Callable[[int, int, int], bool]


@dataclass(frozen=True, slots=True)
class CronSchedule(Schedule):
    """``cron(minutes hours day-of-month month day-of-week year)``."""

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: frozenset[int]
    years: frozenset[int]
    # Exactly one of the two day fields is used; the other was ``?``.
    day_tests: tuple[DayTest, ...]

    @property
    def kind(self) -> Kind:
        return "cron"

    def next_after(self, moment: dt.datetime, tz: str | dt.tzinfo | None = None, *,
                   anchor: dt.datetime | None = None) -> dt.datetime | None:
        moment = _aware(moment).astimezone(UTC)
        where = zone(tz)
        # Local wall-clock times map to instants monotonically once skipped times are dropped
        # and repeated ones take their first occurrence; start a little before the moment's
        # local time so a repeated hour's first pass is not missed, then keep the first later.
        start = (moment.astimezone(where).replace(tzinfo=None) - dt.timedelta(hours=3)).replace(
            second=0, microsecond=0)
        for local in self._local_times(start):
            instant = _instant(local, where)
            if instant is not None and instant > moment:
                return instant
        return None

    def _local_times(self, start: dt.datetime) -> Iterator[dt.datetime]:
        """Every matching wall-clock minute from ``start`` on, in order."""
        for year in range(max(start.year, MIN_YEAR), MAX_YEAR + 1):
            if year not in self.years:
                continue
            for month in range(1, 13):
                if month not in self.months or (year, month) < (start.year, start.month):
                    continue
                days = calendar.monthrange(year, month)[1]
                for day in range(1, days + 1):
                    if (year, month, day) < (start.year, start.month, start.day):
                        continue
                    if not any(test(year, month, day) for test in self.day_tests):
                        continue
                    for hour in self.hours:
                        for minute in self.minutes:
                            local = dt.datetime(year, month, day, hour, minute)
                            if local >= start:
                                yield local


def _instant(local: dt.datetime, where: dt.tzinfo) -> dt.datetime | None:
    """The instant a wall-clock time names in ``where``: its first occurrence when the time is
    repeated, None when a daylight-saving jump skips it."""
    first = local.replace(tzinfo=where, fold=0)
    instant = first.astimezone(UTC)
    if instant.astimezone(where).replace(tzinfo=None) != local:
        return None
    return instant


def parse_schedule(text: str, kinds: tuple[Kind, ...] = ALL_KINDS) -> Schedule:
    """Parse ``text`` as one of ``kinds``; raise ``ScheduleError`` saying what is wrong."""
    if not isinstance(text, str):
        raise ScheduleError("A schedule expression is a string.")
    head = text.split("(", 1)[0]
    if head not in ("rate", "cron", "at") or head not in kinds:
        raise ScheduleError(f"Expected one of {', '.join(k + '(...)' for k in kinds)}.")
    if head == "rate":
        return _parse_rate(text)
    if head == "at":
        return _parse_at(text)
    return _parse_cron(text)


def _parse_rate(text: str) -> RateSchedule:
    match = _RATE.fullmatch(text)
    if match is None:
        raise ScheduleError("A rate is rate(value unit), e.g. rate(5 minutes).")
    value, unit = int(match.group(1)), match.group(2)
    singular = unit[:-1] if unit.endswith("s") else unit
    if singular not in _UNIT_SECONDS:
        raise ScheduleError(f"Unknown rate unit {unit}: minute(s), hour(s) or day(s).")
    if value < 1:
        raise ScheduleError("A rate's value is a positive whole number.")
    if (value == 1) != (unit == singular):
        raise ScheduleError(f"Use the singular unit for a value of 1 and the plural otherwise, not {value} {unit}.")
    return RateSchedule(text, value, singular, value * _UNIT_SECONDS[singular])


def _parse_at(text: str) -> AtSchedule:
    match = _AT.fullmatch(text)
    if match is None:
        raise ScheduleError("A one-time schedule is at(yyyy-mm-ddThh:mm:ss).")
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        local = dt.datetime(year, month, day, hour, minute, second)
    except ValueError as error:
        raise ScheduleError(f"Not a date and time: {error}.") from None
    return AtSchedule(text, local)


# --- cron ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int] | None = None
    wraps: bool = False  # month and weekday ranges may run past the end (FRI-MON)


_MINUTE = _Field("minutes", 0, 59)
_HOUR = _Field("hours", 0, 23)
_DOM = _Field("day-of-month", 1, 31)
_MONTH = _Field("month", 1, 12, _MONTHS, wraps=True)
_DOW = _Field("day-of-week", 1, 7, _WEEKDAYS, wraps=True)
_YEAR = _Field("year", MIN_YEAR, MAX_YEAR)


def _parse_cron(text: str) -> CronSchedule:
    match = _CRON.fullmatch(text)
    if match is None:
        raise ScheduleError("A cron is cron(minutes hours day-of-month month day-of-week year).")
    fields = match.group(1).split()
    if len(fields) != 6:
        raise ScheduleError("A cron has 6 fields (minutes hours day-of-month month day-of-week year), "
                            f"not {len(fields)}.")
    minute, hour, dom, month, dow, year = (field.upper() for field in fields)
    if (dom == "?") == (dow == "?"):
        raise ScheduleError("Exactly one of day-of-month and day-of-week must be '?'.")
    day_tests = _day_of_week(dow) if dom == "?" else _day_of_month(dom)
    return CronSchedule(
        text,
        minutes=tuple(sorted(_values(minute, _MINUTE))),
        hours=tuple(sorted(_values(hour, _HOUR))),
        months=frozenset(_values(month, _MONTH)),
        years=frozenset(_values(year, _YEAR)),
        day_tests=day_tests,
    )


def _number(token: str, field: _Field) -> int:
    if field.names and token in field.names:
        return field.names[token]
    if not token.isdigit():
        raise ScheduleError(f"Not a value of {field.name}: {token!r}.")
    value = int(token)
    if not field.low <= value <= field.high:
        raise ScheduleError(f"{field.name} runs from {field.low} to {field.high}, not {value}.")
    return value


def _values(text: str, field: _Field) -> set[int]:
    """The values a plain field (``*``, lists, ranges, steps, names) selects."""
    values: set[int] = set()
    for item in text.split(","):
        values |= _item(item, field)
    return values


def _item(item: str, field: _Field) -> set[int]:
    if not item:
        raise ScheduleError(f"Empty item in {field.name}.")
    base, slash, step_text = item.partition("/")
    step = 1
    if slash:
        if not step_text.isdigit() or int(step_text) < 1:
            raise ScheduleError(f"A step in {field.name} is a positive number, not {step_text!r}.")
        step = int(step_text)
    if base == "*":
        first, last = field.low, field.high
    elif "-" in base:
        start_text, _, end_text = base.partition("-")
        first, last = _number(start_text, field), _number(end_text, field)
        if first > last and not field.wraps:
            raise ScheduleError(f"A range in {field.name} runs upward, not {base}.")
    else:
        first = _number(base, field)
        # "5/15": from 5 every 15 to the end; a bare "5": just 5.
        last = field.high if slash else first
    span = field.high - field.low + 1
    count = (last - first) % span + 1 if first > last else last - first + 1
    return {field.low + (first - field.low + offset) % span for offset in range(0, count, step)}


def _weekday(year: int, month: int, day: int) -> int:
    """AWS's day-of-week number: 1 = Sunday .. 7 = Saturday."""
    return (dt.date(year, month, day).weekday() + 1) % 7 + 1


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _nearest_weekday(year: int, month: int, target: int) -> int:
    """Quartz's ``nW``: the weekday nearest day ``target`` without leaving the month."""
    last = _last_day(year, month)
    target = min(target, last)
    weekday = dt.date(year, month, target).weekday()  # Monday = 0
    if weekday == 5:  # Saturday: the Friday before, or the Monday after on the 1st
        return target - 1 if target > 1 else target + 2
    if weekday == 6:  # Sunday: the Monday after, or the Friday before on the last day
        return target + 1 if target < last else target - 2
    return target


def _day_of_month(text: str) -> tuple[DayTest, ...]:
    tests: list[DayTest] = []
    plain: list[str] = []
    for item in text.split(","):
        if item == "L":
            tests.append(lambda y, m, d: d == _last_day(y, m))
        elif re.fullmatch(r"L-\d+", item):
            back = int(item[2:])
            if back > 30:
                raise ScheduleError(f"day-of-month offset from the last day is at most 30, not {back}.")
            def before_last(y: int, m: int, d: int, back: int = back) -> bool:
                return d == _last_day(y, m) - back
            tests.append(before_last)
        elif item == "LW":
            tests.append(lambda y, m, d: d == _nearest_weekday(y, m, _last_day(y, m)))
        elif item.endswith("W"):
            target = _number(item[:-1], _DOM)
            def nearest_weekday(y: int, m: int, d: int, target: int = target) -> bool:
                return d == _nearest_weekday(y, m, target)
            tests.append(nearest_weekday)
        else:
            plain.append(item)
    if plain:
        days = _values(",".join(plain), _DOM)
        def listed_day(y: int, m: int, d: int, days: frozenset[int] = frozenset(days)) -> bool:
            return d in days
        tests.append(listed_day)
    return tuple(tests)


def _day_of_week(text: str) -> tuple[DayTest, ...]:
    tests: list[DayTest] = []
    plain: list[str] = []
    for item in text.split(","):
        if item == "L":  # alone, the last day of the week: Saturday
            plain.append("7")
        elif item.endswith("L"):
            weekday = _number(item[:-1], _DOW)
            def last_weekday(y: int, m: int, d: int, w: int = weekday) -> bool:
                return _weekday(y, m, d) == w and d + 7 > _last_day(y, m)
            tests.append(last_weekday)
        elif "#" in item:
            day_text, _, nth_text = item.partition("#")
            weekday = _number(day_text, _DOW)
            if not nth_text.isdigit() or not 1 <= int(nth_text) <= 5:
                raise ScheduleError(f"The n of day#n runs from 1 to 5, not {nth_text!r}.")
            nth = int(nth_text)
            def nth_weekday(y: int, m: int, d: int, w: int = weekday, n: int = nth) -> bool:
                return _weekday(y, m, d) == w and (d - 1) // 7 + 1 == n
            tests.append(nth_weekday)
        else:
            plain.append(item)
    if plain:
        weekdays = _values(",".join(plain), _DOW)
        def listed_weekday(y: int, m: int, d: int, days: frozenset[int] = frozenset(weekdays)) -> bool:
            return _weekday(y, m, d) in days
        tests.append(listed_weekday)
    return tuple(tests)
