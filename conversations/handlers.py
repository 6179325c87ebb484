"""Steps drawn by code rather than by a fixed list of choices.

The language list, the emergency numbers, places and opening hours, and the booking
steps depend on the catalogs, the directory and free seats; each handler draws its
step and reads the payloads of its own buttons (`<flow>.<step>.<value>`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from conversations import booking, bus
from conversations.directory import normalize
from conversations.flows import Step
from conversations.formatting import clock, day, weekday_name
from conversations.i18n import N_
from conversations.model import Button, CancelAppointment, Subscribe

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

TOWN_AGAIN = N_("Please write the name of your town, for example Clermont-Ferrand.")
AGE_BANDS = (("u16", 0, 15), ("16_17", 16, 17), ("18_25", 18, 25), ("26_29", 26, 29))


def _language_buttons(turn: TurnBuilder, step: Step) -> list[Button]:
    return [Button(x.name, f"entry.language.{x.code}") for x in turn.engine.catalogs.languages]


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
        lines.append(
            f"📍 {place.name}" + (f" — \u2068{place.address}\u2069" if place.address else "")
        )
        lines += _hours(turn, place.id)
    return "\n".join(lines)


def render(turn: TurnBuilder, step: Step) -> None:
    nav = turn.nav_buttons(step)
    name = step.handler
    if name == "language":
        text = turn.t(step.text) if step.text else ""
        turn.say(text, tuple(_language_buttons(turn, step)) + turn.nav_buttons(step))
    elif name == "numbers":
        turn.say(_numbers_text(turn), nav)
    elif name == "places":
        turn.say(_places_text(turn), nav)
    elif name == "bus_week":
        turn.say(_bus_week_text(turn), _bus_buttons(turn) + nav)
    else:
        booking.render(turn, step, nav)


def enter(turn: TurnBuilder, step: Step) -> None:
    if step.handler in booking.STEPS:
        booking.enter(turn, step)
    else:
        render(turn, step)


def buttons(turn: TurnBuilder, step: Step) -> list[Button]:
    if step.handler == "language":
        return _language_buttons(turn, step)
    if step.handler in booking.STEPS:
        return booking.buttons(turn, step)
    if step.handler == "bus_week":
        return list(_bus_buttons(turn))
    return []


def on_payload(turn: TurnBuilder, step: Step, payload: str) -> bool:
    prefix = f"{step.flow}.{step.id}."
    if not payload.startswith(prefix):
        return False
    value = payload[len(prefix) :]
    if step.handler == "language":
        if not turn.engine.catalogs.supports(value):
            return False
        turn.state.lang = value
        turn.goto("entry.consent" if turn.state.consent is None else turn.menu_target(), push=False)
        return True
    if step.handler in booking.STEPS:
        return booking.on_payload(turn, step, value)
    return False


def parse_input(turn: TurnBuilder, step: Step, text: str) -> str | None:
    """The value to save for an input step, or None after a kind re-ask message."""
    clean = " ".join(text.split())
    if step.input == "age":
        digits = "".join(c for c in clean if c.isdigit())
        age = int(digits) if digits and len(digits) <= 3 else None
        if age is None or not 10 <= age <= 99:
            turn.say(turn.t("Please write your age as a number, for example 19."))
            return None
        return next((band for band, low, high in AGE_BANDS if low <= age <= high), "30_plus")
    if step.input == "commune":
        if not normalize(clean) or len(clean) > 80:
            turn.say(turn.t(TOWN_AGAIN))
            return None
        return clean
    if not clean:
        turn.say(turn.t("Please write a few words."))
        return None
    return clean[:500]


HANDLERS = frozenset({"language", "numbers", "places", "bus_week", *booking.STEPS})


def appointment_answer(turn: TurnBuilder, action: str) -> None:
    """The person's answer to a reminder: coming, cannot come (frees the seat), move."""
    verb, _, ident = action.partition(".")
    known = [a for a in turn.state.appointments if str(a["id"]) == ident]
    if not known or not turn.state.consent:
        turn.say(turn.t("This appointment is no longer booked."))
        turn.goto(turn.menu_target(), push=False)
        return
    if verb == "yes":
        turn.say(turn.t("Great, see you then!"))
        turn.render_current()
    elif verb == "no":
        turn.effects.append(CancelAppointment(int(ident)))
        turn.state.appointments.remove(known[0])
        turn.say(
            turn.t(
                "Thank you for telling us. Your appointment is cancelled and the time is free "
                "for someone else."
            )
        )
        turn.goto(turn.menu_target(), push=False)
    else:
        turn.goto("appointment.place", push=False)
        turn.state.scratch["replaces"] = ident  # after goto: entering a flow clears scratch


def bus_subscription(turn: TurnBuilder, on: bool) -> None:
    if not turn.state.consent:
        turn.say(turn.t("To go further, I need your agreement to keep your answers."))
        turn.goto("entry.consent", push=False)
        return
    territory = turn.state.profile.get("territory")
    turn.effects.append(Subscribe("bus", on, territory))
    if on:
        turn.state.profile["bus_optin"] = "yes"
        turn.say(
            turn.t(
                "Done: I will tell you when the bus stops near you. Tap “Stop the bus "
                "messages” at any time."
            )
        )
    else:
        turn.state.profile.pop("bus_optin", None)
        turn.say(turn.t("Done: no more bus messages."))
    turn.render_current()


def _bus_week_text(turn: TurnBuilder) -> str:
    tz = turn.engine.tz
    stops = bus.stops_this_week(turn.engine.deployment, turn.calendar, turn.now, tz)
    if not stops:
        return turn.t("No bus stop is published for the next 7 days yet.")
    lines = [turn.t("Where the MiLo Machine bus stops in the next 7 days:")]
    for stop in stops:
        hours = f"{clock(stop.starts_at, turn.lang, tz)}–{clock(stop.ends_at, turn.lang, tz)}"
        where = f"{stop.name}" + (f" (\u2068{stop.address}\u2069)" if stop.address else "")
        lines.append(f"🚌 {day(stop.starts_at, turn.lang, tz)} \u2068{hours}\u2069 — {where}")
    return "\n".join(lines)


def _bus_buttons(turn: TurnBuilder) -> tuple[Button, ...]:
    if turn.state.profile.get("bus_optin"):
        return (Button(turn.t("🔕 Stop the bus messages"), "nav.bus.off"),)
    return (Button(turn.t("🔔 Tell me when the bus comes near me"), "nav.bus.on"),)
