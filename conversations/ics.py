"""Calendar files (.ics): one appointment for the person, a place's agenda for conseillers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from conversations.directory import Place

PRODID = "-//Relais//appointments//EN"


def _event(uid: str, title: str, starts: datetime, ends: datetime, place: Place | None) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("summary", title)
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("dtstamp", starts)
    if place is not None:
        event.add("location", f"{place.name}, {place.address}".strip(", "))
    return event


def calendar_file(
    items: Iterable[tuple[int, str, datetime, Place | None]], minutes: int = 30
) -> bytes:
    """(appointment id, title, start, place) → an iCalendar document."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    for appointment_id, title, starts, place in items:
        ends = starts + timedelta(minutes=minutes)
        calendar.add_component(_event(f"relais-{appointment_id}", title, starts, ends, place))
    return bytes(calendar.to_ical())
