"""Booking steps: my appointments → place → day → time → confirm, and cancel/move.

Slots come from the directory's opening patterns; seats taken come from the host
(`availability`, slot key → bookings). The host books inside its transaction, where
the database enforces capacity. The BookAppointment effect carries both endings of the
turn (booked, or the slot was full), so the host picks one without a second trip.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Final

from conversations import handover
from conversations.calendar import Calendar
from conversations.directory import Permanence
from conversations.flows import Step
from conversations.formatting import clock, day
from conversations.model import NEW_APPOINTMENT, BookAppointment, Button, CancelAppointment, Turn
from conversations.slots import SlotOffer, generate

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

STEPS: Final = frozenset({"my_appointments", "place", "day", "time", "confirm"})
PAGE: Final = 4


def free_slots(turn: TurnBuilder, permanence: Permanence) -> list[SlotOffer]:
    """Slots not full and not in a closure (holiday, closed place)."""
    offers = generate(permanence, turn.now, turn.engine.tz)
    closures = turn.calendar.closures
    return [
        o
        for o in offers
        if turn.availability.get(o.key, 0) < o.capacity
        and not any(c.covers(o.place_id, o.starts_at, o.ends_at) for c in closures)
    ]


def _permanence(turn: TurnBuilder) -> Permanence | None:
    wanted = turn.state.scratch.get("permanence")
    return next((p for p in turn.bookable() if p.id == wanted), None)


def _places(turn: TurnBuilder) -> list[Permanence]:
    """One entry per place with free slots: the person's territory first, the bus soonest."""
    territory = turn.state.profile.get("territory")
    seen: set[str] = set()
    found = []
    for permanence in turn.bookable():
        if permanence.place in seen or not free_slots(turn, permanence):
            continue
        seen.add(permanence.place)
        found.append(permanence)

    def rank(permanence: Permanence) -> tuple[bool, bool]:
        place = turn.place(permanence.place)
        near = place is not None and place.territory == territory
        return (not near, permanence.window is None)

    return sorted(found, key=rank)


def when_text(turn: TurnBuilder, moment: datetime) -> str:
    """A day and a time ("… at 09:00") in the person's language and the deployment's zone."""
    return turn.t(
        "{day} at {time}",
        day=day(moment, turn.lang, turn.engine.tz),
        time=clock(moment, turn.lang, turn.engine.tz),
    )


def _chosen_offer(turn: TurnBuilder) -> SlotOffer | None:
    permanence = _permanence(turn)
    if permanence is None:
        return None
    wanted = turn.state.scratch.get("slot")
    return next((o for o in free_slots(turn, permanence) if o.key == wanted), None)


def buttons(turn: TurnBuilder, step: Step) -> list[Button]:
    prefix = f"{step.flow}.{step.id}."
    if step.handler == "my_appointments":
        result = []
        for number, item in enumerate(turn.state.appointments, start=1):
            result.append(Button(turn.t("Cancel n°{n}", n=number), f"{prefix}cancel.{item['id']}"))
            result.append(Button(turn.t("Move n°{n}", n=number), f"{prefix}move.{item['id']}"))
        return [*result, Button(turn.t("Book a new appointment"), f"{prefix}new")]
    if step.handler == "place":
        page = int(turn.state.scratch.get("page", "0"))
        places = _places(turn)
        shown = places[page * PAGE : (page + 1) * PAGE]
        result = []
        for permanence in shown:
            place = turn.place(permanence.place)
            if place is None:
                continue
            icon = "🚌 " if permanence.mobile else "📍 "
            result.append(Button(icon + turn.t(place.name), f"{prefix}{permanence.id}"))
        if len(places) > (page + 1) * PAGE:
            result.append(Button(turn.t("More places"), f"{prefix}page.{page + 1}"))
        return result
    permanence = _permanence(turn)
    offers = free_slots(turn, permanence) if permanence else []
    if step.handler == "day":
        days: dict[str, SlotOffer] = {}
        for offer in offers:
            days.setdefault(f"{offer.starts_at:%Y%m%d}", offer)
        return [
            Button(day(o.starts_at, turn.lang, turn.engine.tz), f"{prefix}{key}")
            for key, o in list(days.items())[:5]
        ]
    if step.handler == "time":
        chosen = turn.state.scratch.get("day", "")
        return [
            Button(clock(o.starts_at, turn.lang, turn.engine.tz), f"{prefix}{o.starts_at:%H%M}")
            for o in offers
            if f"{o.starts_at:%Y%m%d}" == chosen
        ][:8]
    return [
        Button(turn.t("Yes, book it"), f"{prefix}yes"),
        Button(turn.t("Choose another time"), f"{prefix}no"),
    ]


def render(turn: TurnBuilder, step: Step, nav: tuple[Button, ...]) -> None:
    text = turn.t(step.text) if step.text else ""
    if step.handler == "my_appointments":
        lines = [text]
        for number, item in enumerate(turn.state.appointments, start=1):
            place = turn.place(item["place"])
            starts = datetime.fromisoformat(item["starts_at"])
            named = turn.t(place.name) if place else ""
            lines.append(f"{number}. {when_text(turn, starts)} — {named}")
        text = "\n".join(lines)
    elif step.handler == "confirm":
        offer = _chosen_offer(turn)
        if offer is None:
            turn.say(turn.t("Sorry, this time is no longer free. Please choose another one."))
            turn.goto("appointment.day", push=False)
            return
        place = turn.place(offer.place_id)
        assert place is not None
        text = turn.t(
            "Shall I book {when} at {place} ({address})?",
            when=when_text(turn, offer.starts_at),
            place=f"\u2068{turn.t(place.name)}\u2069",
            address=f"\u2068{place.address}\u2069",
        )
    turn.say(text, tuple(buttons(turn, step)) + nav)


def enter(turn: TurnBuilder, step: Step) -> None:
    if step.handler == "my_appointments" and not turn.state.appointments:
        turn.goto("appointment.reason", push=False)
        return
    if step.handler == "place":
        turn.state.scratch["page"] = "0"
        if not _places(turn):
            turn.say(turn.t("Sorry, there is no free time in the next three weeks."))
            turn.goto(turn.menu_target(), push=False)
            return
    render(turn, step, turn.nav_buttons(step))


def on_payload(turn: TurnBuilder, step: Step, value: str) -> bool:
    scratch = turn.state.scratch
    if step.handler == "my_appointments":
        action, _, ident = value.partition(".")
        if action == "new":
            scratch.pop("replaces", None)
            turn.goto("appointment.reason")
            return True
        known = [a for a in turn.state.appointments if str(a["id"]) == ident]
        if not known:
            return False
        if action == "cancel":
            turn.effects.append(CancelAppointment(int(ident)))
            turn.state.appointments.remove(known[0])
            turn.say(turn.t("Your appointment is cancelled."))
            turn.goto(turn.menu_target(), push=False)
            return True
        if action == "move":
            scratch["replaces"] = ident
            turn.goto("appointment.place")
            return True
        return False
    if step.handler == "place":
        if value.startswith("page."):
            scratch["page"] = value.removeprefix("page.")
            render(turn, step, turn.nav_buttons(step))
            return True
        if not any(p.id == value for p in turn.bookable()):
            return False
        scratch["permanence"] = value
        turn.goto("appointment.day")
        return True
    if step.handler in ("day", "time"):
        valid = {b.payload for b in buttons(turn, step)}
        if f"{step.flow}.{step.id}.{value}" not in valid:
            return False
        if step.handler == "day":
            scratch["day"] = value
            turn.goto("appointment.time")
        else:
            permanence = _permanence(turn)
            assert permanence is not None
            scratch["slot"] = f"{permanence.place}:{scratch['day']}{value}"
            turn.goto("appointment.confirm")
        return True
    if value == "no":
        turn.goto("appointment.day", push=False)
        return True
    if value != "yes":
        return False
    offer = _chosen_offer(turn)
    if offer is None:
        turn.say(turn.t("Sorry, this time is no longer free. Please choose another one."))
        turn.goto("appointment.day", push=False)
        return True
    replaces = scratch.get("replaces")
    turn.effects.append(
        BookAppointment(
            slot_key=offer.key,
            place_id=offer.place_id,
            # The directory service whose slot it is: a conseiller's scope is by service.
            service=offer.service,
            starts_at=offer.starts_at,
            ends_at=offer.ends_at,
            capacity=offer.capacity,
            replaces=int(replaces) if replaces else None,
            booked=_booked(turn, offer),
            full=_full(turn, offer),
        )
    )
    return True


def _ending(turn: TurnBuilder, calendar: Calendar) -> TurnBuilder:
    """A builder for one ending of the booking turn, from the same state."""
    # type(turn) is TurnBuilder, which this module cannot import (turn imports handlers).
    return type(turn)(turn.engine, turn.state.copy(), turn.now, calendar)


def _booked(turn: TurnBuilder, offer: SlotOffer) -> Turn:
    """The ending when the seat is taken: confirm (with a calendar file), then the menu."""
    ending = _ending(turn, turn.calendar)
    state = ending.state
    replaces = state.scratch.pop("replaces", None)
    state.appointments = [a for a in state.appointments if str(a["id"]) != replaces]
    state.appointments.append(
        {"id": NEW_APPOINTMENT, "place": offer.place_id, "starts_at": offer.starts_at.isoformat()}
    )
    place = ending.place(offer.place_id)
    assert place is not None
    ending.say(
        ending.t(
            "✅ Booked: {when}, {place} ({address}). Bring an ID document if you have one "
            "(no document is fine too). To cancel or move it, choose “Appointment” in the menu.",
            when=when_text(ending, offer.starts_at),
            place=f"\u2068{ending.t(place.name)}\u2069",
            address=f"\u2068{place.address}\u2069",
        ),
        appointment_id=NEW_APPOINTMENT,
    )
    handover.record_intake(ending, "appointment")
    ending.goto(ending.menu_target(), push=False)
    return ending.build()


def _full(turn: TurnBuilder, offer: SlotOffer) -> Turn:
    """The ending when someone took the last seat meanwhile: the days again, without it."""
    taken = {**turn.calendar.taken, offer.key: offer.capacity}
    ending = _ending(turn, replace(turn.calendar, taken=taken))
    ending.say(ending.t("Sorry, this time has just been taken. Please choose another one."))
    ending.goto("appointment.day", push=False)
    return ending.build()
