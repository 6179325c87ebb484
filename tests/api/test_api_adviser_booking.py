"""A conseiller books an appointment for a referral's person through the admin API: the
person is told at once, in their chat, and the appointment is reminded like one they
booked themselves (planned out of quiet hours, sent once, answered with the same buttons).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from bot.reminders import send_due_reminders
from storage.models import Appointment, Reminder
from support.webchat import WebChat

PARIS = ZoneInfo("Europe/Paris")


async def _conseiller(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, str]:
    created = await client.post(
        "/api/v1/tokens",
        json={"role": "conseiller", "structure": "ml-cmv", "name": "Awa"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    return {"Authorization": f"Bearer {created.json()['token']}"}


async def _new_messages(client: httpx.AsyncClient, chat: WebChat) -> list[dict[str, Any]]:
    url = f"/webchat/sessions/{chat.session_id}/messages"
    data = (await client.get(url, params={"after": chat.cursor})).json()
    chat.cursor, chat.last = data["cursor"], data["messages"]
    return list(data["messages"])


async def _book_for_an_urgent_referral(
    client: httpx.AsyncClient, chat: WebChat, awa: dict[str, str]
) -> int:
    """The person says they sleep outside (an urgent referral for ml-cmv's conseillers);
    the conseiller books them a slot of the head office two days on or more: its id."""
    await chat.start()
    await chat.tap("entry.language.en")
    await chat.tap("agree")
    await chat.tap("menu.main.housing")
    await chat.tap("street")
    await _new_messages(client, chat)
    referral = (await client.get("/api/v1/referrals", headers=awa)).json()[0]
    slots = (await client.get("/api/v1/slots?place=ml-hq&limit=500", headers=awa)).json()
    later = datetime.now(UTC) + timedelta(days=2)
    slot = next(s for s in slots if datetime.fromisoformat(s["starts_at"]) > later)
    booked = await client.post(
        f"/api/v1/referrals/{referral['id']}/appointments",
        json={"slot_key": slot["key"]},
        headers=awa,
    )
    assert booked.status_code == 201, booked.text
    return int(booked.json()["id"])


async def test_conseillers_booking_is_told_and_reminded_once(
    app: FastAPI, client: httpx.AsyncClient, chat: WebChat, admin_headers: dict[str, str]
) -> None:
    awa = await _conseiller(client, admin_headers)
    appointment_id = await _book_for_an_urgent_referral(client, chat, awa)

    (told,) = await _new_messages(client, chat)
    assert told["text"].startswith("An adviser booked an appointment for you")
    assert f"nav.appt.move.{appointment_id}" in chat.payloads()

    services = app.state.services
    async with services.db.transaction() as session:
        appointment = await session.get(Appointment, appointment_id)
        reminders = (
            await session.scalars(
                select(Reminder)
                .where(Reminder.appointment_id == appointment_id)
                .order_by(Reminder.due_at)
            )
        ).all()
    assert appointment is not None and appointment.status == "booked"
    assert [(r.kind, r.status) for r in reminders] == [
        ("day_before", "pending"),
        ("hours_before", "pending"),
    ]
    for reminder in reminders:
        assert 8 <= reminder.due_at.astimezone(PARIS).hour < 21, "no reminder in quiet hours"

    first_due = reminders[0].due_at
    assert await send_due_reminders(services.runtime, first_due - timedelta(minutes=1)) == 0
    assert await send_due_reminders(services.runtime, first_due) == 1
    assert await send_due_reminders(services.runtime, first_due) == 0
    (reminded,) = await _new_messages(client, chat)
    assert reminded["text"].startswith("Reminder: you have an appointment tomorrow")
    await chat.tap(f"nav.appt.yes.{appointment_id}")
    assert chat.last[0]["text"] == "Great, see you then!"


async def test_booking_a_full_slot_is_a_conflict_and_tells_the_person_nothing(
    app: FastAPI, client: httpx.AsyncClient, chat: WebChat, admin_headers: dict[str, str]
) -> None:
    awa = await _conseiller(client, admin_headers)
    await chat.start()
    await chat.tap("entry.language.en")
    await chat.tap("agree")
    await chat.tap("menu.main.housing")
    await chat.tap("street")
    await _new_messages(client, chat)
    referral = (await client.get("/api/v1/referrals", headers=awa)).json()[0]
    slot = (await client.get("/api/v1/slots?place=ml-hq&limit=1", headers=awa)).json()[0]
    url = f"/api/v1/referrals/{referral['id']}/appointments"
    for _ in range(slot["free"]):
        assert (await client.post(url, json={"slot_key": slot["key"]}, headers=awa)).is_success
    await _new_messages(client, chat)

    full = await client.post(url, json={"slot_key": slot["key"]}, headers=awa)
    assert full.status_code == 409 and full.json() == {"detail": "this slot is full"}
    assert await _new_messages(client, chat) == []
    async with app.state.services.db.transaction() as session:
        count = len((await session.scalars(select(Appointment))).all())
    assert count == slot["free"]


async def test_appointments_are_listed_for_the_structure_that_runs_the_slot(
    client: httpx.AsyncClient, chat: WebChat, admin_headers: dict[str, str]
) -> None:
    """One booked by the conseiller, one by the person in the chat: both are the
    structure's (they were stored under the referral's theme or the person's reason, not
    the slot's service, and the conseiller who booked one could not see it)."""
    awa = await _conseiller(client, admin_headers)
    booked = await _book_for_an_urgent_referral(client, chat, awa)

    person = WebChat(client)
    await person.start()
    await person.tap("entry.language.en")
    await person.tap("agree")
    await person.tap("menu.main.appointment")
    await person.tap("first_visit")
    await person.tap("appointment.place.perm-ml-hq")
    for step in ("appointment.day.", "appointment.time."):
        await person.tap(next(p for p in person.payloads() if p.startswith(step)))
    await person.tap("appointment.confirm.yes")

    listed = (await client.get("/api/v1/appointments", headers=awa)).json()
    assert len(listed) == 2
    assert booked in {a["id"] for a in listed}
    assert {a["place_id"] for a in listed} == {"ml-hq"}
