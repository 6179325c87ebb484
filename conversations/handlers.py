"""What free text and reminders' buttons change: typed answers checked and saved, the
answer to a reminder, the bus announcements opt-in. The steps drawn by code are in
conversations/steps/."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conversations.directory import normalize
from conversations.flows import Step
from conversations.i18n import N_
from conversations.model import CancelAppointment, Subscribe

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

TOWN_AGAIN = N_("Please write the name of your town, for example Clermont-Ferrand.")
AGE_BANDS = (("u16", 0, 15), ("16_17", 16, 17), ("18_25", 18, 25), ("26_29", 26, 29))


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
