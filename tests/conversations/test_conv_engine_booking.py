"""Engine transcripts of the appointment journey: book, confirm, cancel, move, full slots.

The clock is Tuesday 24 November 2026, 10:00 in Paris; the head office (perm-ml-hq) is
open Monday to Friday 09:00-12:00 and 13:30-17:00, 30-minute slots, one seat each.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from conversations.model import BookAppointment, CancelAppointment, RecordIntake

ChatFactory = Callable[..., Any]
PARIS = ZoneInfo("Europe/Paris")
WEDNESDAY_9 = datetime(2026, 11, 25, 9, 0, tzinfo=PARIS)


def _to_confirm(chat: ChatFactory, availability: dict[str, int] | None = None) -> Any:
    person = chat()
    person.press("menu.main.appointment", availability)
    assert person.where == ("appointment", "reason")  # no appointment yet
    person.press("appointment.reason.first_visit", availability)
    assert person.where == ("appointment", "place")
    assert "appointment.place.perm-ml-hq" in person.last_payloads()
    person.press("appointment.place.perm-ml-hq", availability)
    assert person.where == ("appointment", "day")
    assert person.last_payloads()[0] == "appointment.day.20261124"
    person.press("appointment.day.20261125", availability)
    assert person.where == ("appointment", "time")
    person.press("appointment.time.0900", availability)
    assert person.where == ("appointment", "confirm")
    return person


def _booked(person: Any, appointment_id: int = 5) -> Any:
    return person.settle(appointment_id)


def test_booking_emits_book_appointment(chat: ChatFactory) -> None:
    person = _to_confirm(chat)
    assert person.last_payloads()[:2] == ["appointment.confirm.yes", "appointment.confirm.no"]
    assert "64 Boulevard Léon Jouhaux" in person.last.replies[-1].text
    turn = person.press("appointment.confirm.yes")
    (booking,) = turn.effects
    assert isinstance(booking, BookAppointment)
    assert booking.slot_key == "ml-hq:202611250900"
    assert booking.place_id == "ml-hq"
    assert booking.service == "ml-cmv-welcome"  # the slot's directory service (scopes)
    assert booking.starts_at == WEDNESDAY_9
    assert booking.starts_at.utcoffset() == timedelta(hours=1)
    assert booking.ends_at - booking.starts_at == timedelta(minutes=30)
    assert booking.capacity == 1
    assert booking.replaces is None


def test_confirmed_booking_is_kept_and_can_be_cancelled(chat: ChatFactory) -> None:
    person = _to_confirm(chat)
    person.press("appointment.confirm.yes")
    turn = _booked(person)
    assert turn.replies[0].text.startswith("✅ Booked:")
    assert person.state.appointments == [
        {"id": 5, "place": "ml-hq", "starts_at": WEDNESDAY_9.isoformat()}
    ]
    assert [e.theme for e in turn.effects if isinstance(e, RecordIntake)] == ["appointment"]
    assert person.where == ("menu", "main")

    person.press("menu.main.appointment")
    assert person.where == ("appointment", "mine")
    assert person.last_payloads()[:3] == [
        "appointment.mine.cancel.5",
        "appointment.mine.move.5",
        "appointment.mine.new",
    ]
    assert "1. " in person.last.replies[-1].text

    turn = person.press("appointment.mine.cancel.5")
    assert turn.effects == (CancelAppointment(5),)
    assert person.state.appointments == []
    assert person.where == ("menu", "main")


def test_moving_an_appointment_books_a_replacement(chat: ChatFactory) -> None:
    person = _to_confirm(chat)
    person.press("appointment.confirm.yes")
    _booked(person)
    person.press("menu.main.appointment")
    person.press("appointment.mine.move.5")
    assert person.where == ("appointment", "place")
    person.press("appointment.place.perm-ml-hq")
    person.press("appointment.day.20261126")
    person.press("appointment.time.1400")
    turn = person.press("appointment.confirm.yes")
    (booking,) = turn.effects
    assert isinstance(booking, BookAppointment)
    assert booking.replaces == 5
    assert booking.slot_key == "ml-hq:202611261400"
    person.settle(6)
    assert [a["id"] for a in person.state.appointments] == [6]


def test_failed_booking_offers_the_days_again(chat: ChatFactory) -> None:
    person = _to_confirm(chat)
    person.press("appointment.confirm.yes")
    turn = person.settle(None)
    assert person.where == ("appointment", "day")
    assert "just been taken" in turn.replies[0].text
    assert person.last_payloads()[0].startswith("appointment.day.")
    assert person.state.appointments == []
    assert turn.effects == ()


def test_choose_another_time_goes_back_to_the_days(chat: ChatFactory) -> None:
    person = _to_confirm(chat)
    person.press("appointment.confirm.no")
    assert person.where == ("appointment", "day")


def test_a_full_slot_is_not_offered(chat: ChatFactory) -> None:
    full = {"ml-hq:202611250900": 1}
    person = chat()
    for payload in (
        "menu.main.appointment",
        "appointment.reason.first_visit",
        "appointment.place.perm-ml-hq",
        "appointment.day.20261125",
    ):
        person.press(payload, full)
    assert "appointment.time.0900" not in person.last_payloads()
    assert person.last_payloads()[0] == "appointment.time.0930"
    before = person.state.to_dict()
    person.press("appointment.time.0900", full)  # a stale button of the full slot
    assert person.state.to_dict() == before


def test_a_slot_with_seats_left_is_offered(chat: ChatFactory) -> None:
    # The bus at Place de Jaude has two seats per slot (Thursday 14:00-17:00).
    person = chat()
    for payload in (
        "menu.main.appointment",
        "appointment.reason.other",
        "appointment.place.perm-bus-jaude",
    ):
        person.press(payload, {"bus-jaude:202611261400": 1})
    assert person.last_payloads()[0] == "appointment.day.20261126"
    person.press("appointment.day.20261126", {"bus-jaude:202611261400": 1})
    assert person.last_payloads()[0] == "appointment.time.1400"
    person.press("nav.back", {"bus-jaude:202611261400": 2})
    person.press("appointment.day.20261126", {"bus-jaude:202611261400": 2})
    assert person.last_payloads()[0] == "appointment.time.1430"


def test_slot_taken_between_time_and_confirm_is_reoffered(chat: ChatFactory) -> None:
    person = _to_confirm(chat)
    turn = person.press("appointment.confirm.yes", {"ml-hq:202611250900": 1})
    assert turn.effects == ()
    assert "no longer free" in turn.replies[0].text
    assert person.where == ("appointment", "day")
