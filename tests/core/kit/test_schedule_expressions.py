"""The kit's schedule expressions: what parses, what AWS refuses, and when each fires next."""

from __future__ import annotations

import datetime as dt

import pytest

from hoarfrost.core.kit.schedule_expressions import (
    AtSchedule,
    CronSchedule,
    RateSchedule,
    ScheduleError,
    parse_schedule,
    zone,
)

UTC = dt.timezone.utc


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def upcoming(expression: str, start: str, count: int, tz: str | None = None) -> list[str]:
    schedule = parse_schedule(expression)
    moment, found = at(start), []
    for _ in range(count):
        following = schedule.next_after(moment, tz)
        assert following is not None
        found.append(following.strftime("%Y-%m-%dT%H:%M"))
        moment = following
    return found


# --- rate ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "seconds"), [
    ("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(1 hour)", 3600),
    ("rate(12 hours)", 43200), ("rate(1 day)", 86400), ("rate(7 days)", 604800),
])
def test_rates_parse_to_their_period(text: str, seconds: int) -> None:
    schedule = parse_schedule(text)
    assert isinstance(schedule, RateSchedule) and schedule.seconds == seconds and schedule.kind == "rate"


@pytest.mark.parametrize("text", [
    "rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(-1 minutes)", "rate(1 week)",
    "rate(1.5 hours)", "rate(minutes)", "rate(5)", "rate 5 minutes", "rate(5 minutes", "rate()",
    "rate(2 days) ", "RATE(5 minutes)",
])
def test_bad_rates_are_refused(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(text)


def test_a_rate_counts_from_its_anchor() -> None:
    schedule = parse_schedule("rate(10 minutes)")
    anchor = at("2026-01-01T00:00:00")
    assert schedule.next_after(at("2026-01-01T00:25:00"), anchor=anchor) == at("2026-01-01T00:30:00")
    assert schedule.next_after(at("2026-01-01T00:30:00"), anchor=anchor) == at("2026-01-01T00:40:00")
    # Before its anchor a rate first fires at the anchor; with none, one period from the moment.
    assert schedule.next_after(at("2025-12-31T23:00:00"), anchor=anchor) == anchor
    assert schedule.next_after(at("2026-01-01T00:03:00")) == at("2026-01-01T00:13:00")


# --- at --------------------------------------------------------------------------------------

def test_at_fires_once_in_its_time_zone() -> None:
    schedule = parse_schedule("at(2026-07-01T09:30:00)")
    assert isinstance(schedule, AtSchedule)
    assert schedule.next_after(at("2026-06-01T00:00:00")) == at("2026-07-01T09:30:00")
    assert schedule.next_after(at("2026-06-01T00:00:00"), "Europe/Paris") == at("2026-07-01T07:30:00")
    assert schedule.next_after(at("2026-07-01T09:30:00")) is None


@pytest.mark.parametrize("text", [
    "at(2026-02-30T00:00:00)", "at(2026-13-01T00:00:00)", "at(2026-01-01T24:00:00)",
    "at(2026-01-01 00:00:00)", "at(2026-01-01T00:00)", "at(2026-1-01T00:00:00)", "at()",
])
def test_bad_at_is_refused(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(text)


def test_kinds_restrict_what_is_accepted() -> None:
    with pytest.raises(ScheduleError):
        parse_schedule("at(2026-07-01T09:30:00)", kinds=("rate", "cron"))
    assert parse_schedule("rate(1 day)", kinds=("rate", "cron")).kind == "rate"
    with pytest.raises(ScheduleError):
        parse_schedule("every(5 minutes)")


# --- cron: parsing ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "cron(0 10 * * ? *)", "cron(15 12 * * ? *)", "cron(0 18 ? * MON-FRI *)", "cron(0 8 1 * ? *)",
    "cron(0/15 * * * ? *)", "cron(0/10 * ? * MON-FRI *)", "cron(0/5 8-17 ? * MON-FRI *)",
    "cron(0 9 ? * 2#1 *)", "cron(0 0 L * ? *)", "cron(0 0 LW * ? *)", "cron(0 0 15W * ? *)",
    "cron(0 0 ? * 6L *)", "cron(0 0 ? * L *)", "cron(0-15/1 8-8 ? * 2,3,4,5,6,7 *)",
    "cron(30-30 13-13 ? * 2,4,6 *)", "cron(1-31/30 1-1 ? * 1,7 *)", "cron(0 0 1 JAN,jul ? 2030-2035)",
    "cron(*/5 * * * ? *)", "cron(0 0 ? * sun *)", "cron(0 12 L-3 * ? *)", "cron(0 0 ? * FRI-MON *)",
])
def test_aws_crons_parse(text: str) -> None:
    assert isinstance(parse_schedule(text), CronSchedule)


@pytest.mark.parametrize("text", [
    "cron(7 20 * * 1-7 *)",  # both day fields given
    "cron(0 0 ? * ? *)",  # neither
    "cron(15 12 ? * -1 *)",
    "cron(0 10 * * ?)",  # five fields
    "cron(0 10 * * ? * *)",  # seven
    "cron(60 * * * ? *)", "cron(0 24 * * ? *)", "cron(0 0 32 * ? *)", "cron(0 0 0 * ? *)",
    "cron(0 0 1 13 ? *)", "cron(0 0 ? * 8 *)", "cron(0 0 ? * 0 *)", "cron(0 0 1 * ? 1969)",
    "cron(0 0 1 * ? 2200)", "cron(0/0 * * * ? *)", "cron(10-5 * * * ? *)", "cron(0 0 ? * 2#6 *)",
    "cron(0 0 ? * 2#0 *)", "cron(0 0 ? * FOO *)", "cron(0 0 1 JANUARY ? *)", "cron(a * * * ? *)",
    "cron(0,,5 * * * ? *)", "cron(0 0 32W * ? *)", "cron(0 0 ? * 9L *)", "cron(0 0 L ? * *)x",
    "cron(0 0 1W ? * *)", "cron 0 0 * * ? *", "cron()",
])
def test_invalid_crons_are_refused(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(text)


# --- cron: next moments ----------------------------------------------------------------------

def test_cron_every_fifteen_minutes() -> None:
    assert upcoming("cron(0/15 * * * ? *)", "2026-03-04T10:07:30", 4) == [
        "2026-03-04T10:15", "2026-03-04T10:30", "2026-03-04T10:45", "2026-03-04T11:00"]


def test_cron_weekdays_at_six() -> None:
    # 2026-03-06 is a Friday.
    assert upcoming("cron(0 18 ? * MON-FRI *)", "2026-03-06T18:00:00", 3) == [
        "2026-03-09T18:00", "2026-03-10T18:00", "2026-03-11T18:00"]


def test_cron_first_monday_and_last_friday() -> None:
    assert upcoming("cron(0 9 ? * 2#1 *)", "2026-01-01T00:00:00", 3) == [
        "2026-01-05T09:00", "2026-02-02T09:00", "2026-03-02T09:00"]
    assert upcoming("cron(0 9 ? * 6L *)", "2026-01-01T00:00:00", 2) == [
        "2026-01-30T09:00", "2026-02-27T09:00"]


def test_cron_last_day_and_weekdays_near_a_date() -> None:
    assert upcoming("cron(0 0 L * ? *)", "2028-01-15T00:00:00", 3) == [
        "2028-01-31T00:00", "2028-02-29T00:00", "2028-03-31T00:00"]
    # 2026-02-15 is a Sunday (nearest weekday the 16th); 2026-08-15 a Saturday (the 14th).
    assert parse_schedule("cron(0 0 15W 2 ? *)").next_after(at("2026-01-01T00:00:00")) == at("2026-02-16T00:00:00")
    assert parse_schedule("cron(0 0 15W 8 ? *)").next_after(at("2026-01-01T00:00:00")) == at("2026-08-14T00:00:00")
    # 2026-05-31 is a Sunday: the last weekday of May is Friday the 29th.
    assert parse_schedule("cron(0 0 LW 5 ? *)").next_after(at("2026-01-01T00:00:00")) == at("2026-05-29T00:00:00")
    # 2026-11-01 is a Sunday: 1W stays in the month, on Monday the 2nd.
    assert parse_schedule("cron(0 0 1W 11 ? *)").next_after(at("2026-01-01T00:00:00")) == at("2026-11-02T00:00:00")


def test_cron_wrapping_weekday_range() -> None:
    # FRI-MON: Friday, Saturday, Sunday, Monday. 2026-03-05 is a Thursday.
    assert upcoming("cron(0 0 ? * FRI-MON *)", "2026-03-05T00:00:00", 5) == [
        "2026-03-06T00:00", "2026-03-07T00:00", "2026-03-08T00:00", "2026-03-09T00:00", "2026-03-13T00:00"]


def test_cron_with_steps_in_days() -> None:
    assert upcoming("cron(0 0 1/10 * ? *)", "2026-04-01T00:00:00", 3) == [
        "2026-04-11T00:00", "2026-04-21T00:00", "2026-05-01T00:00"]


def test_cron_year_field_ends_the_schedule() -> None:
    schedule = parse_schedule("cron(0 12 1 1 ? 2027)")
    assert schedule.next_after(at("2026-05-01T00:00:00")) == at("2027-01-01T12:00:00")
    assert schedule.next_after(at("2027-01-01T12:00:00")) is None
    assert parse_schedule("cron(0 0 30 2 ? *)").next_after(at("2026-01-01T00:00:00")) is None


def test_cron_in_a_time_zone() -> None:
    # 09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer.
    assert upcoming("cron(0 9 * * ? *)", "2026-01-10T00:00:00", 1, "America/New_York") == ["2026-01-10T14:00"]
    assert upcoming("cron(0 9 * * ? *)", "2026-07-10T00:00:00", 1, "America/New_York") == ["2026-07-10T13:00"]


def test_cron_skips_a_time_daylight_saving_removes() -> None:
    # 2026-03-08 02:30 does not exist in New York: that day has no firing.
    assert upcoming("cron(30 2 * * ? *)", "2026-03-07T08:00:00", 2, "America/New_York") == [
        "2026-03-09T06:30", "2026-03-10T06:30"]


def test_cron_fires_once_in_a_repeated_hour() -> None:
    # 2026-11-01 01:30 happens twice in New York; it fires at the first (05:30 UTC) only.
    assert upcoming("cron(30 1 * * ? *)", "2026-10-31T12:00:00", 3, "America/New_York") == [
        "2026-11-01T05:30", "2026-11-02T06:30", "2026-11-03T06:30"]


def test_next_after_is_strictly_later() -> None:
    schedule = parse_schedule("cron(0 12 * * ? *)")
    assert schedule.next_after(at("2026-01-01T12:00:00")) == at("2026-01-02T12:00:00")
    assert schedule.next_after(at("2026-01-01T11:59:59")) == at("2026-01-01T12:00:00")


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ScheduleError):
        zone("Mars/Olympus_Mons")
    with pytest.raises(ScheduleError):
        parse_schedule("cron(0 12 * * ? *)").next_after(at("2026-01-01T00:00:00"), "Not/AZone")
    assert zone(None) is UTC and zone("UTC") is UTC
