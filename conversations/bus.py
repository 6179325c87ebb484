"""Where the outreach bus stops in the coming days: the directory's weekly stops (mobile
permanences) and the stops published through the admin API (dated openings).

Pure: the host passes the published stops in the turn's calendar; the weekly ones come
from the deployment's directory, so a fresh install already knows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from conversations.calendar import Calendar
from conversations.directory import Deployment
from conversations.slots import pattern_days, time_of_day

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class BusStop:
    name: str
    address: str
    starts_at: datetime
    ends_at: datetime


def weekly_stops(deployment: Deployment, now: datetime, tz: ZoneInfo) -> list[BusStop]:
    """The directory's mobile permanences that fall in the next seven days."""
    stops = []
    for permanence in deployment.permanences:
        place = deployment.places.get(permanence.place)
        if not permanence.mobile or place is None:
            continue
        for pattern in permanence.patterns:
            for day in pattern_days(pattern, now.astimezone(tz).date(), 8):
                start = datetime.combine(day, time_of_day(pattern.start), tz)
                end = datetime.combine(day, time_of_day(pattern.end), tz)
                if end > now and start < now + WEEK:
                    stops.append(BusStop(place.name, place.address, start, end))
    return stops


def stops_this_week(
    deployment: Deployment, calendar: Calendar, now: datetime, tz: ZoneInfo
) -> list[BusStop]:
    """Published and weekly stops of the next seven days, in time order, without twins."""
    published = [
        BusStop(o.name, o.address, o.starts_at, o.ends_at)
        for o in calendar.openings
        if o.kind == "bus_stop" and o.ends_at > now and o.starts_at < now + WEEK
    ]
    seen = {(s.name, s.starts_at) for s in published}
    weekly = [s for s in weekly_stops(deployment, now, tz) if (s.name, s.starts_at) not in seen]
    return sorted(published + weekly, key=lambda s: s.starts_at)
