"""Steps drawn by code rather than by a fixed list of choices.

The language list, the emergency numbers, places and opening hours, and the booking
steps depend on the catalogs, the directory and free seats; each handler draws its
step and reads the payloads of its own buttons (`<flow>.<step>.<value>`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conversations import booking
from conversations.directory import normalize
from conversations.flows import Step
from conversations.formatting import weekday_name
from conversations.model import Button

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

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
        turn.say(text, tuple(_language_buttons(turn, step)))
    elif name == "numbers":
        turn.say(_numbers_text(turn), nav)
    elif name == "places":
        turn.say(_places_text(turn), nav)
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


def effect_result(turn: TurnBuilder, data: dict[str, Any]) -> None:
    if data.get("effect") == "booking":
        booking.booked(turn, data)


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
            turn.say(turn.t("Please write the name of your town, for example Clermont-Ferrand."))
            return None
        return clean
    if not clean:
        turn.say(turn.t("Please write a few words."))
        return None
    return clean[:500]


HANDLERS = frozenset({"language", "numbers", "places", *booking.STEPS})
