"""Slot generation from opening patterns: local wall-clock times, notice, DST, recurrence."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from conversations.directory import OpeningPattern, Permanence, load_directory
from conversations.slots import SlotOffer, generate, slot_key

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday, 10:00 in Paris
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)
ONE_HOUR = timedelta(hours=1)
TWO_HOURS = timedelta(hours=2)


def _permanence(*patterns: OpeningPattern, slot_minutes: int = 30) -> Permanence:
    return Permanence("perm-test", "svc", "place-test", patterns, slot_minutes=slot_minutes)


def _local_times(offers: list[SlotOffer]) -> dict[date, list[str]]:
    by_day: dict[date, list[str]] = defaultdict(list)
    for offer in offers:
        local = offer.starts_at.astimezone(PARIS)
        by_day[local.date()].append(f"{local:%H:%M}")
    return dict(by_day)


def _ml_hq() -> Permanence:
    return next(p for p in load_directory().permanences if p.id == "perm-ml-hq")


def test_weekly_pattern_generates_local_slots() -> None:
    offers = generate(_ml_hq(), NOW, PARIS)
    assert offers
    morning = [f"{h:02d}:{m:02d}" for h in (9, 10, 11) for m in (0, 30)]
    afternoon = ["13:30"] + [f"{h:02d}:{m:02d}" for h in (14, 15, 16) for m in (0, 30)]
    by_day = _local_times(offers)
    for day, times in by_day.items():
        assert day.weekday() < 5, day  # Monday to Friday only
        if day != date(2026, 11, 24):
            assert times == morning + afternoon, day
    # Three weeks from Tuesday 24 November: 15 working days.
    assert len(by_day) == 15
    assert min(by_day) == date(2026, 11, 24)
    assert max(by_day) < date(2026, 11, 24) + timedelta(days=21)
    for offer in offers:
        assert offer.starts_at.utcoffset() == ONE_HOUR  # winter time
        assert offer.ends_at - offer.starts_at == timedelta(minutes=30)
        assert offer.key == slot_key("ml-hq", offer.starts_at, PARIS)
        assert offer.place_id == "ml-hq"
        assert offer.capacity == 1
    starts = [o.starts_at.timestamp() for o in offers]
    assert starts == sorted(starts)
    assert len({o.key for o in offers}) == len(offers)


def test_slot_key_is_local_wall_clock() -> None:
    moment = datetime(2026, 11, 24, 12, 30, tzinfo=UTC)
    assert slot_key("ml-hq", moment, PARIS) == "ml-hq:202611241330"


@pytest.mark.parametrize(
    ("notice_hours", "first_local"),
    [
        (2, datetime(2026, 11, 24, 13, 30)),  # 12:00 earliest: the morning is over
        (0, datetime(2026, 11, 24, 10, 0)),  # a slot starting right now is fine
        (24, datetime(2026, 11, 25, 10, 0)),
    ],
)
def test_notice_hours_are_respected(notice_hours: int, first_local: datetime) -> None:
    offers = generate(_ml_hq(), NOW, PARIS, notice_hours=notice_hours)
    assert offers[0].starts_at == first_local.replace(tzinfo=PARIS)
    assert all(o.starts_at >= NOW + timedelta(hours=notice_hours) for o in offers)


@pytest.mark.parametrize(
    ("start", "switch_day", "before", "after"),
    [
        pytest.param(date(2027, 3, 25), date(2027, 3, 28), ONE_HOUR, TWO_HOURS, id="spring"),
        pytest.param(date(2026, 10, 22), date(2026, 10, 25), TWO_HOURS, ONE_HOUR, id="autumn"),
    ],
)
def test_daytime_slots_across_dst_change(
    start: date, switch_day: date, before: timedelta, after: timedelta
) -> None:
    permanence = _permanence(OpeningPattern(EVERY_DAY, "09:00", "12:00"))
    now = datetime.combine(start, datetime.min.time(), PARIS)
    offers = generate(permanence, now, PARIS, days=7, notice_hours=0)
    by_day = _local_times(offers)
    assert sorted(by_day) == [start + timedelta(days=n) for n in range(7)]
    expected = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    for day, times in by_day.items():
        assert times == expected, day
    for offer in offers:
        local = offer.starts_at.astimezone(PARIS)
        offset = after if local.date() >= switch_day else before
        assert local.utcoffset() == offset, local
        assert offer.starts_at.utcoffset() == offset, offer.starts_at
        assert offer.ends_at.astimezone(UTC) - offer.starts_at.astimezone(UTC) == timedelta(
            minutes=30
        )
    assert len({o.key for o in offers}) == len(offers) == 7 * 6


def test_spring_forward_night_skips_the_missing_hour() -> None:
    # 01:00-04:00 local on 28 March 2027 lasts two real hours: 02:xx does not exist.
    permanence = _permanence(OpeningPattern(EVERY_DAY, "01:00", "04:00"))
    now = datetime(2027, 3, 27, 23, 0, tzinfo=UTC)  # 00:00 local on the 28th
    offers = generate(permanence, now, PARIS, days=1, notice_hours=0)
    assert _local_times(offers) == {date(2027, 3, 28): ["01:00", "01:30", "03:00", "03:30"]}
    utc = [o.starts_at.astimezone(UTC) for o in offers]
    assert [b - a for a, b in pairwise(utc)] == [timedelta(minutes=30)] * 3


def test_fortnightly_recurrence_uses_even_iso_weeks() -> None:
    permanence = _permanence(OpeningPattern((0,), "14:00", "15:00", "fortnightly"))
    offers = generate(permanence, NOW, PARIS, days=28)
    days = sorted(_local_times(offers))
    # Mondays after Tuesday 24 Nov 2026: 30 Nov (week 49), 7 Dec (50), 14 Dec (51), 21 Dec (52).
    assert days == [date(2026, 12, 7), date(2026, 12, 21)]
    assert all(day.isocalendar().week % 2 == 0 for day in days)


def test_monthly_recurrence_is_the_first_weekday_of_the_month() -> None:
    permanence = _permanence(OpeningPattern((1,), "09:30", "10:30", "monthly"))
    offers = generate(permanence, NOW, PARIS, days=60)
    # Tuesdays: not 24 Nov (4th of the month), but 1 Dec 2026 and 5 Jan 2027.
    assert sorted(_local_times(offers)) == [date(2026, 12, 1), date(2027, 1, 5)]
    assert _local_times(offers)[date(2026, 12, 1)] == ["09:30", "10:00"]


def test_directory_fortnightly_permanence() -> None:
    henin = load_directory(deployment_id="henin-carvin")
    carvin = next(p for p in henin.permanences if p.id == "perm-cllaj-carvin")
    offers = generate(carvin, NOW, PARIS, days=28)
    by_day = _local_times(offers)
    assert sorted(by_day) == [date(2026, 12, 7), date(2026, 12, 21)]
    assert by_day[date(2026, 12, 7)] == ["14:00", "14:30", "15:00", "15:30", "16:00", "16:30"]


def test_slot_length_and_capacity_come_from_the_permanence() -> None:
    permanence = Permanence(
        "p", "svc", "bus", (OpeningPattern((3,), "14:00", "15:00"),), slot_minutes=20, capacity=2
    )
    offers = generate(permanence, NOW, PARIS, days=7)
    assert _local_times(offers) == {date(2026, 11, 26): ["14:00", "14:20", "14:40"]}
    assert {o.capacity for o in offers} == {2}
    assert all(o.ends_at - o.starts_at == timedelta(minutes=20) for o in offers)


def test_no_pattern_means_no_slot() -> None:
    assert generate(_permanence(), NOW, PARIS) == []
