"""Appointments people keep: reminders with a controllable clock, answers to reminders,
bus stops published by the outreach team, opt-in announcements, closures, calendar files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from bot.idle import tend_idle_conversations
from bot.reminders import send_due_reminders
from storage.models import Appointment, Reminder, Slot
from support.webchat import WebChat

PARIS = ZoneInfo("Europe/Paris")


async def _consented(chat: WebChat, lang: str = "en") -> None:
    await chat.start()
    await chat.tap(f"entry.language.{lang}")
    await chat.tap("agree")


async def _book(chat: WebChat, place: str = "perm-ml-hq") -> None:
    await chat.tap("menu.main.appointment")
    if any(p.endswith(".new") for p in chat.payloads()):
        await chat.tap("new")
    await chat.tap("first_visit")
    while not any(p.endswith(place) for p in chat.payloads()):
        await chat.tap(next(p for p in chat.payloads() if ".page." in p))
    await chat.tap(f"appointment.place.{place}")
    await chat.tap(next(p for p in chat.payloads() if p.startswith("appointment.day.")))
    await chat.tap(next(p for p in chat.payloads() if p.startswith("appointment.time.")))
    await chat.tap("appointment.confirm.yes")
    assert "✅" in chat.text()


async def _later(client: httpx.AsyncClient, chat: WebChat) -> list[dict[str, Any]]:
    url = f"/webchat/sessions/{chat.session_id}/messages"
    data = (await client.get(url, params={"after": chat.cursor})).json()
    chat.cursor = data["cursor"]
    chat.last = data["messages"]
    return list(data["messages"])


async def test_reminders_are_sent_once_when_due_and_answering_no_frees_the_seat(
    app: FastAPI, client: httpx.AsyncClient, chat: WebChat
) -> None:
    await _consented(chat)
    await _book(chat)
    services = app.state.services
    async with services.db.transaction() as session:
        appointment = (await session.scalars(select(Appointment))).one()
        reminders = (await session.scalars(select(Reminder).order_by(Reminder.due_at))).all()
    assert [r.kind for r in reminders] in (["day_before", "hours_before"], ["hours_before"])
    for reminder in reminders:
        local = reminder.due_at.astimezone(PARIS)
        assert 8 <= local.hour < 21, "no reminder in quiet hours"
        assert reminder.due_at < appointment.starts_at

    db, runtime = services.db, services.runtime
    first_due = reminders[0].due_at
    assert await send_due_reminders(runtime, first_due - timedelta(minutes=1)) == 0
    assert await send_due_reminders(runtime, first_due) == 1
    assert await send_due_reminders(runtime, first_due) == 0
    messages = await _later(client, chat)
    assert [m["text"].startswith("Reminder:") for m in messages] == [True]
    assert f"nav.appt.no.{appointment.id}" in chat.payloads()

    await chat.tap(f"nav.appt.no.{appointment.id}")
    assert "free for someone else" in chat.text()
    async with db.transaction() as session:
        slot = await session.get(Slot, appointment.slot_key)
        cancelled = await session.get(Appointment, appointment.id)
        statuses = {r.status for r in (await session.scalars(select(Reminder))).all()}
    assert slot is not None and slot.booked == 0
    assert cancelled is not None and cancelled.status == "cancelled"
    assert "pending" not in statuses
    late = appointment.starts_at - timedelta(minutes=5)
    assert await send_due_reminders(runtime, late) == 0


async def test_reminder_answer_move_rebooks(
    app: FastAPI, client: httpx.AsyncClient, chat: WebChat
) -> None:
    await _consented(chat)
    await _book(chat)
    services = app.state.services
    async with services.db.transaction() as session:
        first = (await session.scalars(select(Appointment))).one()
    await send_due_reminders(services.runtime, first.starts_at)
    await _later(client, chat)
    await chat.tap(f"nav.appt.move.{first.id}")
    await chat.tap("appointment.place.perm-bus-jaude")
    await chat.tap(next(p for p in chat.payloads() if p.startswith("appointment.day.")))
    await chat.tap(next(p for p in chat.payloads() if p.startswith("appointment.time.")))
    await chat.tap("appointment.confirm.yes")
    async with services.db.transaction() as session:
        rows = (await session.scalars(select(Appointment).order_by(Appointment.id))).all()
    assert [(a.place_id, a.status) for a in rows] == [
        ("ml-hq", "cancelled"),
        ("bus-jaude", "booked"),
    ]


async def test_published_bus_stop_is_shown_bookable_and_announced_to_opted_in_people(
    app: FastAPI, client: httpx.AsyncClient, chat: WebChat, admin_headers: dict[str, str]
) -> None:
    await _consented(chat, "fr")
    await chat.tap("menu.main.info")
    await chat.tap("info.menu.bus")
    assert "nav.bus.on" in chat.payloads()
    await chat.tap("nav.bus.on")
    assert "nav.bus.off" in chat.payloads()

    later = (datetime.now(UTC) + timedelta(days=2)).astimezone(PARIS)
    start = later.replace(hour=14, minute=0, second=0, microsecond=0)
    published = await client.post(
        "/api/v1/openings",
        json={
            "kind": "bus_stop",
            "place_id": "bus-gerzat",
            "name": "Bus MiLo — Gerzat, place de la Mairie",
            "address": "Place de la Mairie, 63360 Gerzat",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "capacity": 3,
        },
        headers=admin_headers,
    )
    assert published.status_code == 201, published.text
    assert published.json()["told"] == 1
    announcement = await _later(client, chat)
    assert "Gerzat" in announcement[0]["text"] and "14:00" in announcement[0]["text"]

    await chat.tap("nav.bus.off")
    await chat.tap("nav.menu")
    await chat.tap("menu.main.info")
    await chat.tap("info.menu.bus")
    assert "Gerzat" in chat.text() and "nav.bus.on" in chat.payloads()
    await chat.tap("nav.menu")
    await _book(chat, "open-" + str(published.json()["id"]))
    async with app.state.services.db.transaction() as session:
        booked = (await session.scalars(select(Appointment))).one()
    assert booked.place_id == "bus-gerzat"
    assert booked.starts_at == start.astimezone(UTC)

    again = await client.post(
        "/api/v1/openings",
        json={
            "kind": "bus_stop",
            "name": "Bus — again",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
        },
        headers=admin_headers,
    )
    assert again.json()["told"] == 0  # the person opted out


async def test_closure_removes_slots_and_calendar_files(
    app: FastAPI, client: httpx.AsyncClient, chat: WebChat, admin_headers: dict[str, str]
) -> None:
    now = datetime.now(UTC)
    closed = await client.post(
        "/api/v1/closures",
        json={
            "place_id": "ml-hq",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=30)).isoformat(),
            "reason": "holidays",
        },
        headers=admin_headers,
    )
    assert closed.status_code == 201
    await _consented(chat)
    await chat.tap("menu.main.appointment")
    await chat.tap("first_visit")
    seen = list(chat.payloads())
    while any(".page." in p for p in chat.payloads()):
        await chat.tap(next(p for p in chat.payloads() if ".page." in p))
        seen += chat.payloads()
    assert "appointment.place.perm-ml-hq" not in seen
    await chat.tap("nav.menu")
    await _book(chat, "perm-bus-jaude")
    link = next(m for m in chat.last if m.get("calendar_url"))["calendar_url"]
    ics = await client.get(link)
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in ics.text and "Place de Jaude" in ics.text
    # The link never names the session (download history of a shared phone or tablet).
    assert chat.session_id not in link
    forged = link.replace(link.rsplit("-", 1)[1], "A" * 24 + ".ics")
    assert (await client.get(forged)).status_code == 404
    feed = await client.get("/api/v1/places/bus-jaude/agenda.ics", headers=admin_headers)
    assert feed.text.count("BEGIN:VEVENT") == 1
    bad = await client.post(
        "/api/v1/closures",
        json={"starts_at": now.isoformat(), "ends_at": now.isoformat()},
        headers=admin_headers,
    )
    assert bad.status_code == 409


async def test_half_way_journey_is_nudged_once_then_expires_quietly(
    app: FastAPI, client: httpx.AsyncClient, chat: WebChat
) -> None:
    await _consented(chat)
    await chat.tap("menu.main.housing")
    await chat.tap("hosted_unstable")
    runtime = app.state.services.runtime
    now = datetime.now(UTC)
    hour, day = timedelta(hours=1), timedelta(days=1)
    assert await tend_idle_conversations(runtime, now + hour, day, 7 * day) == (0, 0)
    assert await tend_idle_conversations(runtime, now + 25 * hour, day, 7 * day) == (1, 0)
    nudge = await _later(client, chat)
    assert nudge[0]["text"].startswith("Still there?")
    assert "housing.age.18_25" in chat.payloads()
    assert await tend_idle_conversations(runtime, now + 26 * hour, day, 7 * day) == (0, 0)
    assert await tend_idle_conversations(runtime, now + 9 * day, day, 7 * day) == (0, 1)
    assert await _later(client, chat) == []
    await chat.say("hello")
    assert "menu.main.housing" in chat.payloads()
