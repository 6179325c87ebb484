"""What the person did not ask for in this message, said by the engine all the same.

A reminder falls due, a conseiller books an appointment for the person, the outreach bus
comes near them, or they ask what is kept about them (/mydata): the host loads the facts
and hands them over as an event (`Event.data`), and the engine words them like every
other reply, in the person's language, with the same catalogs and the same buttons
(`nav.appt.*`, read by `handlers.appointment_answer`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from conversations.booking import when_text
from conversations.calendar import DatedOpening
from conversations.formatting import clock, day
from conversations.i18n import N_
from conversations.model import AppointmentFacts, Button, EventKind, KeptData

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

REMINDERS: Final = {
    "day_before": N_(
        "Reminder: you have an appointment tomorrow, {when}, at {place} ({address}). Will you come?"
    ),
    "hours_before": N_(
        "Reminder: your appointment is today at {time}, at {place} ({address}). Will you come?"
    ),
}
COMING: Final = N_("✅ Yes, I will come")
NOT_COMING: Final = N_("❌ I cannot come")
MOVE: Final = N_("🔁 Move it")
BOOKED_FOR_YOU: Final = N_("An adviser booked an appointment for you: {when}, {place} ({address}).")
BUS_STOP: Final = N_("🚌 The MiLo Machine bus comes near you: {day}, {hours}, {place} ({address}).")
BUS_STOP_OFF: Final = N_("🔕 Stop the bus messages")

# /mydata: the headings, and readable names for the codes of requests.
LANGUAGE: Final = N_("Language")
CONSENT: Final = N_("Agreement to keep your answers")
ANSWERS: Final = N_("Your answers")
REQUESTS: Final = N_("Requests sent to advisers")
APPOINTMENTS: Final = N_("Appointments")
THEMES: Final = {"emergency": N_("Emergency"), "general": N_("Other request")}
STATUSES: Final = {
    "new": N_("waiting for an adviser"),
    "claimed": N_("taken by an adviser"),
    "in_progress": N_("in progress"),
    "closed": N_("closed"),
}


def appointment_buttons(turn: TurnBuilder, appointment_id: int) -> tuple[Button, ...]:
    """Coming, cannot come (frees the seat), move: `handlers.appointment_answer` reads them."""
    return (
        Button(turn.t(COMING), f"nav.appt.yes.{appointment_id}"),
        Button(turn.t(NOT_COMING), f"nav.appt.no.{appointment_id}"),
        Button(turn.t(MOVE), f"nav.appt.move.{appointment_id}"),
    )


def _where(turn: TurnBuilder, facts: AppointmentFacts) -> tuple[str, str]:
    """Name and address: the directory's place, else the store's (a dated opening)."""
    place = turn.engine.deployment.places.get(facts.place_id)
    if place is not None:
        return turn.t(place.name), place.address
    return facts.place or facts.place_id, facts.address


def reminder_due(turn: TurnBuilder, data: Mapping[str, Any]) -> None:
    facts: AppointmentFacts = data["appointment"]
    name, address = _where(turn, facts)
    text = turn.t(
        REMINDERS[data["kind"]],
        when=when_text(turn, facts.starts_at),
        time=clock(facts.starts_at, turn.lang, turn.engine.tz),
        place=name,
        address=f"\u2068{address}\u2069",
    )
    turn.say(text, appointment_buttons(turn, facts.id))


def booked_by_adviser(turn: TurnBuilder, data: Mapping[str, Any]) -> None:
    facts: AppointmentFacts = data["appointment"]
    name, address = _where(turn, facts)
    known = {str(a["id"]) for a in turn.state.appointments}
    if str(facts.id) not in known:
        turn.state.appointments.append(
            {"id": facts.id, "place": facts.place_id, "starts_at": facts.starts_at.isoformat()}
        )
    text = turn.t(
        BOOKED_FOR_YOU,
        when=when_text(turn, facts.starts_at),
        place=name,
        address=f"\u2068{address}\u2069",
    )
    turn.say(text, appointment_buttons(turn, facts.id), appointment_id=facts.id)


def bus_stop(turn: TurnBuilder, data: Mapping[str, Any]) -> None:
    stop: DatedOpening = data["stop"]
    tz = turn.engine.tz
    hours = f"{clock(stop.starts_at, turn.lang, tz)}–{clock(stop.ends_at, turn.lang, tz)}"
    text = turn.t(
        BUS_STOP,
        day=day(stop.starts_at, turn.lang, tz),
        hours=f"\u2068{hours}\u2069",
        place=turn.t(stop.name),
        address=f"\u2068{stop.address}\u2069",
    )
    turn.say(text, (Button(turn.t(BUS_STOP_OFF), "nav.bus.off"),))


def _answers(turn: TurnBuilder) -> list[str]:
    """The person's answers as the buttons they tapped said them; typed ones as typed."""
    labels: dict[tuple[str, str], str] = {}
    asked: set[str] = set()
    for flow in turn.engine.flows.flows.values():
        for step in flow.steps.values():
            if step.save:
                asked.add(step.save)
                for choice in step.choices:
                    labels.setdefault((step.save, choice.value), choice.label)
    shown = []
    for key, value in sorted({**turn.state.profile, **turn.state.answers}.items()):
        if (key, value) in labels:
            shown.append(turn.t(labels[key, value]))
        elif key in asked:
            shown.append(f"\u2068{value}\u2069")
        else:
            shown.append(f"{key} = \u2068{value}\u2069")
    return shown


def _request(turn: TurnBuilder, theme: str, status: str) -> str:
    titles = {f.theme: f.title for f in turn.engine.flows.flows.values() if f.title}
    name = titles.get(theme) or THEMES.get(theme)
    state = STATUSES.get(status)
    return f"{turn.t(name) if name else theme} ({turn.t(state) if state else status})"


def my_data(turn: TurnBuilder, data: Mapping[str, Any]) -> None:
    """What is kept about the person, with a way on (never a dead end)."""
    kept: KeptData = data["kept"]
    nothing = turn.t("Nothing.")
    names = {language.code: language.name for language in turn.engine.catalogs.languages}
    consent = {True: turn.t("yes"), False: turn.t("no"), None: nothing}[turn.state.consent]
    requests = [_request(turn, theme, status) for theme, status in kept.referrals]
    appointments = [
        f"{when_text(turn, a.starts_at)} — {_where(turn, a)[0]}" for a in kept.appointments
    ]
    lines = [
        turn.t("Here is what I keep about you:"),
        f"• {turn.t(LANGUAGE)}: {names.get(turn.lang, turn.lang)}",
        f"• {turn.t(CONSENT)}: {consent}",
        f"• {turn.t(ANSWERS)}: " + (", ".join(_answers(turn)) or nothing),
        f"• {turn.t(REQUESTS)}: " + (", ".join(requests) or nothing),
        f"• {turn.t(APPOINTMENTS)}: " + (", ".join(appointments) or nothing),
        turn.t("To erase everything, send /forget."),
    ]
    turn.say("\n".join(lines), (turn.nav_button("menu"),))


TOLD: Final[dict[EventKind, Callable[[TurnBuilder, Mapping[str, Any]], None]]] = {
    EventKind.REMINDER_DUE: reminder_due,
    EventKind.BOOKED_BY_ADVISER: booked_by_adviser,
    EventKind.BUS_STOP: bus_stop,
    EventKind.MY_DATA: my_data,
}
