"""Information steps drawn from the directory: emergency numbers, places and opening
hours, and where the outreach bus stops this week."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conversations import bus
from conversations.flows import Step
from conversations.formatting import clock, day, weekday_name
from conversations.model import Button
from conversations.steps.drawer import Drawer

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder


def _numbers_text(turn: TurnBuilder) -> str:
    lines = [turn.t("Emergency numbers (free, day and night):")]
    for contact in turn.engine.deployment.emergency_contacts.values():
        lines.append(f"📞 \u2068{contact.number}\u2069 — {turn.t(contact.label)}")
    return "\n".join(lines)


def _hours(turn: TurnBuilder, place_id: str) -> list[str]:
    lines = []
    for permanence in turn.engine.deployment.permanences:
        if permanence.place != place_id:
            continue
        for pattern in permanence.patterns:
            days = ", ".join(weekday_name(d, turn.lang) for d in pattern.weekdays)
            lines.append(f"  {days} \u2068{pattern.start}–{pattern.end}\u2069")
    return lines


def _places_text(turn: TurnBuilder) -> str:
    lines = [turn.t("Where to find us (opening hours are examples until the team confirms):")]
    shown: set[str] = set()
    for permanence in turn.engine.deployment.bookable():
        place = turn.engine.deployment.places[permanence.place]
        if place.id in shown:
            continue
        shown.add(place.id)
        address = f" — \u2068{place.address}\u2069" if place.address else ""
        lines.append(f"📍 {turn.t(place.name)}{address}")
        lines += _hours(turn, place.id)
    return "\n".join(lines)


def _bus_week_text(turn: TurnBuilder) -> str:
    tz = turn.engine.tz
    stops = bus.stops_this_week(turn.engine.deployment, turn.calendar, turn.now, tz)
    if not stops:
        return turn.t("No bus stop is published for the next 7 days yet.")
    lines = [turn.t("Where the MiLo Machine bus stops in the next 7 days:")]
    for stop in stops:
        hours = f"{clock(stop.starts_at, turn.lang, tz)}–{clock(stop.ends_at, turn.lang, tz)}"
        where = turn.t(stop.name) + (f" (\u2068{stop.address}\u2069)" if stop.address else "")
        lines.append(f"🚌 {day(stop.starts_at, turn.lang, tz)} \u2068{hours}\u2069 — {where}")
    return "\n".join(lines)


def _bus_buttons(turn: TurnBuilder) -> tuple[Button, ...]:
    if turn.state.profile.get("bus_optin"):
        return (Button(turn.t("🔕 Stop the bus messages"), "nav.bus.off"),)
    return (Button(turn.t("🔔 Tell me when the bus comes near me"), "nav.bus.on"),)


def _numbers(turn: TurnBuilder, step: Step) -> None:
    turn.say(_numbers_text(turn), turn.nav_buttons(step))


def _places(turn: TurnBuilder, step: Step) -> None:
    turn.say(_places_text(turn), turn.nav_buttons(step))


def _bus_week(turn: TurnBuilder, step: Step) -> None:
    turn.say(_bus_week_text(turn), _bus_buttons(turn) + turn.nav_buttons(step))


DRAWERS = {
    "numbers": Drawer(_numbers),
    "places": Drawer(_places),
    "bus_week": Drawer(_bus_week, lambda turn, step: list(_bus_buttons(turn))),
}
