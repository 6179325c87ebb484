"""Engine transcripts of what the person did not send: a reminder due, a booking made by a
conseiller, a bus stop near them, /mydata — worded by the engine, with the chat's buttons.

The clock is Tuesday 24 November 2026, 10:00 in Paris; the appointment is on Wednesday at
09:00 at the head office (ml-hq, 64 Boulevard Léon Jouhaux).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from conversations.calendar import DatedOpening
from conversations.model import AppointmentFacts, Event, EventKind, KeptData

ChatFactory = Callable[..., Any]
PARIS = ZoneInfo("Europe/Paris")
WEDNESDAY_9 = datetime(2026, 11, 25, 9, 0, tzinfo=PARIS)
AT_HQ = AppointmentFacts(12, "ml-hq", WEDNESDAY_9)
ANSWERS = ["nav.appt.yes.12", "nav.appt.no.12", "nav.appt.move.12"]


def test_reminder_due_asks_will_you_come_with_the_answer_buttons(chat: ChatFactory) -> None:
    person = chat()
    data = {"kind": "day_before", "appointment": AT_HQ}
    turn = person.send(Event(EventKind.REMINDER_DUE, data=data))
    (reply,) = turn.replies
    assert reply.text.startswith("Reminder: you have an appointment tomorrow")
    assert "09:00" in reply.text and "64 Boulevard Léon Jouhaux" in reply.text
    assert person.payloads(reply) == ANSWERS
    assert person.where == ("menu", "main") and turn.effects == ()


def test_reminder_due_is_worded_in_the_persons_language(chat: ChatFactory) -> None:
    person = chat(lang="fr")
    data = {"kind": "hours_before", "appointment": AT_HQ}
    (reply,) = person.send(Event(EventKind.REMINDER_DUE, data=data)).replies
    assert reply.text.startswith("Rappel")
    assert reply.buttons[0].label == "✅ Oui, je viendrai"


def test_a_bus_stop_appointment_is_named_from_the_hosts_facts(chat: ChatFactory) -> None:
    person = chat()
    facts = AppointmentFacts(3, "bus-gerzat", WEDNESDAY_9, "Bus — Gerzat", "Place de la Mairie")
    data = {"kind": "hours_before", "appointment": facts}
    (reply,) = person.send(Event(EventKind.REMINDER_DUE, data=data)).replies
    assert "Bus — Gerzat" in reply.text and "Place de la Mairie" in reply.text


def test_booking_by_an_adviser_offers_the_calendar_file_and_the_answers(
    chat: ChatFactory,
) -> None:
    person = chat()
    turn = person.send(Event(EventKind.BOOKED_BY_ADVISER, data={"appointment": AT_HQ}))
    (reply,) = turn.replies
    assert reply.text.startswith("An adviser booked an appointment for you")
    assert reply.appointment_id == 12
    assert person.payloads(reply) == ANSWERS
    assert [a["id"] for a in person.state.appointments] == [12]

    person.press("nav.appt.yes.12")
    assert person.last_texts()[0] == "Great, see you then!"


def test_bus_stop_announcement_offers_to_stop_the_bus_messages(chat: ChatFactory) -> None:
    person = chat(profile={"bus_optin": "yes"})
    stop = DatedOpening(
        4,
        "bus_stop",
        "bus-gerzat",
        "Bus — Gerzat",
        "Place de la Mairie, Gerzat",
        None,
        "ml-milo-machine",
        datetime(2026, 11, 26, 14, 0, tzinfo=PARIS),
        datetime(2026, 11, 26, 16, 0, tzinfo=PARIS),
    )
    (reply,) = person.send(Event(EventKind.BUS_STOP, data={"stop": stop})).replies
    assert "Bus — Gerzat" in reply.text and "14:00" in reply.text and "16:00" in reply.text
    assert person.payloads(reply) == ["nav.bus.off"]


def test_my_data_shows_readable_labels_and_a_way_on(chat: ChatFactory) -> None:
    person = chat(profile={"age_band": "18_25", "commune": "Riom", "territory": "riom"})
    kept = KeptData((("housing", "claimed"), ("emergency", "new")), (AT_HQ,))
    (reply,) = person.send(Event(EventKind.MY_DATA, data={"kept": kept})).replies
    lines = reply.text.splitlines()
    assert lines[0] == "Here is what I keep about you:"
    assert lines[1] == "• Language: English"
    assert "18 to 25" in lines[3] and "Riom" in lines[3] and "age_band" not in lines[3]
    assert "territory = \u2068riom\u2069" in lines[3]  # kept, though no question asked it
    assert "Housing (taken by an adviser)" in lines[4]
    assert "Emergency (waiting for an adviser)" in lines[4]
    assert "09:00" in lines[5] and "Mission Locale" in lines[5]
    assert lines[-1] == "To erase everything, send /forget."
    assert person.payloads(reply) == ["nav.menu"]


def test_my_data_says_nothing_kept_when_nothing_is(chat: ChatFactory) -> None:
    person = chat()
    (reply,) = person.send(Event(EventKind.MY_DATA, data={"kept": KeptData()})).replies
    assert "• Requests sent to advisers: Nothing." in reply.text
    assert "• Appointments: Nothing." in reply.text
