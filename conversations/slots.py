"""Bookable slots generated from the directory's opening patterns (pure, no storage).

Times are local to the deployment's time zone; aware datetimes built with zoneinfo
keep daylight-saving transitions right. Recurrence: weekly; fortnightly on even ISO
weeks; monthly on the first such weekday of the month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from conversations.directory import OpeningPattern, Permanence


@dataclass(frozen=True)
class SlotOffer:
    key: str
    permanence: str
    place_id: str
    service: str
    starts_at: datetime
    ends_at: datetime
    capacity: int


def pattern_days(pattern: OpeningPattern, first: date, days: int) -> list[date]:
    """The days among `days` days from `first` on which `pattern` opens."""
    candidates = (first + timedelta(days=offset) for offset in range(days))
    return [day for day in candidates if _recurs(pattern, day)]


def _recurs(pattern: OpeningPattern, day: date) -> bool:
    if day.weekday() not in pattern.weekdays:
        return False
    if pattern.recurrence == "fortnightly":
        return day.isocalendar().week % 2 == 0
    if pattern.recurrence == "monthly":
        return day.day <= 7
    return True


def time_of_day(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def slot_key(place_id: str, starts_at: datetime, tz: ZoneInfo) -> str:
    return f"{place_id}:{starts_at.astimezone(tz):%Y%m%d%H%M}"


def generate(
    permanence: Permanence, now: datetime, tz: ZoneInfo, days: int = 21, notice_hours: int = 2
) -> list[SlotOffer]:
    """Slots of one permanence from `now + notice` for `days` days, in time order."""
    earliest = now + timedelta(hours=notice_hours)
    first_day = now.astimezone(tz).date()
    offers: list[SlotOffer] = []
    length = timedelta(minutes=permanence.slot_minutes)
    if permanence.window is not None:
        return _window_slots(permanence, earliest, earliest + timedelta(days=days), tz)
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for pattern in permanence.patterns:
            if not _recurs(pattern, day):
                continue
            start = datetime.combine(day, time_of_day(pattern.start), tz)
            close = datetime.combine(day, time_of_day(pattern.end), tz)
            while start + length <= close:
                if start >= earliest:
                    offers.append(
                        SlotOffer(
                            key=slot_key(permanence.place, start, tz),
                            permanence=permanence.id,
                            place_id=permanence.place,
                            service=permanence.service,
                            starts_at=start,
                            ends_at=start + length,
                            capacity=permanence.capacity,
                        )
                    )
                start = (start.astimezone(ZoneInfo("UTC")) + length).astimezone(tz)
    offers.sort(key=lambda o: o.starts_at)
    return offers


def _window_slots(
    permanence: Permanence, earliest: datetime, latest: datetime, tz: ZoneInfo
) -> list[SlotOffer]:
    assert permanence.window is not None
    start, close = (moment.astimezone(tz) for moment in permanence.window)
    length = timedelta(minutes=permanence.slot_minutes)
    offers = []
    while start + length <= close:
        if earliest <= start <= latest:
            offers.append(
                SlotOffer(
                    key=slot_key(permanence.place, start, tz),
                    permanence=permanence.id,
                    place_id=permanence.place,
                    service=permanence.service,
                    starts_at=start,
                    ends_at=start + length,
                    capacity=permanence.capacity,
                )
            )
        start = start + length
    return offers
