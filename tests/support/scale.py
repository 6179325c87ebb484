"""Helpers of the scale-out tests (issue 15): a flooding person, the journeys of
support/chaos.py, and checks read straight from the shared database."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select, update

from bot.pseudonyms import Pseudonymizer
from storage import Database
from storage.models import Appointment, InboundMessage, Reminder
from support.chaos import Person


@dataclass
class Flood:
    accepted: int
    refused: int
    other: int
    seconds: float


async def flood(client: httpx.AsyncClient, messages: int, in_flight: int = 8) -> Flood:
    """One person sends `messages` messages as fast as the balancer lets them through."""
    response = await client.post("/webchat/sessions", json={"lang": "en"}, timeout=30)
    assert response.status_code == 201, response.text
    url = f"/webchat/sessions/{response.json()['session_id']}/messages"
    statuses: Counter[int] = Counter()
    gate = asyncio.Semaphore(in_flight)

    async def one(number: int) -> None:
        async with gate:
            body = {"text": f"hello {number}", "message_id": f"flood-{number}"}
            statuses[(await client.post(url, json=body, timeout=30)).status_code] += 1

    started = time.monotonic()
    await asyncio.gather(*(one(n) for n in range(messages)))
    seconds = time.monotonic() - started
    other = sum(count for status, count in statuses.items() if status not in (200, 429))
    return Flood(statuses[200], statuses[429], other, seconds)


async def housing(person: Person) -> None:
    await person.start(source=f"scale-h{person.index}")
    for step in ("entry.language.en", "agree", "menu.main.housing", "own_rental"):
        await person.tap(step)
    await person.tap("rent_arrears")
    await person.tap("18_25")
    await person.say("Clermont-Ferrand")
    for step in ("low", "job_seeker", "contact"):
        await person.tap(step)


async def booking(person: Person) -> None:
    await person.start(source=f"scale-b{person.index}")
    for step in ("entry.language.en", "agree", "menu.main.appointment", "first_visit"):
        await person.tap(step)
    await person.tap_prefix("appointment.place.perm-")
    for attempt in range(6):
        await person.tap_prefix("appointment.day.", person.index + attempt)
        await person.tap_prefix("appointment.time.", person.index)
        await person.tap("appointment.confirm.yes")
        if "✅" in person.text():
            return
        if not any(p.startswith("appointment.day.") for p in person.payloads()):
            break
    raise AssertionError(f"person {person.index} could not book: {person.text()}")


async def acknowledged_in_order(db: Database, secret: bytes, people: list[Person]) -> int:
    """Every message a person got an answer for is stored once, in the order sent.
    Returns how many were checked."""
    pseudonyms = Pseudonymizer(secret)
    checked = 0
    async with db.transaction() as session:
        for person in people:
            prefix = pseudonyms.person_key("web", person.session_id)[:24]
            keys = [f"{prefix}:p{person.index}-m{n}" for n in range(1, person.sent + 1)]
            rows = (
                await session.execute(
                    select(InboundMessage.message_key, InboundMessage.id).where(
                        InboundMessage.channel == "web", InboundMessage.message_key.in_(keys)
                    )
                )
            ).all()
            stored = dict(rows)
            assert len(rows) == len(keys) == len(stored), (person.index, len(rows), len(keys))
            ids = [stored[key] for key in keys]
            assert ids == sorted(ids), f"person {person.index}: turns stored out of order"
            checked += len(keys)
    return checked


async def make_reminders_due(db: Database) -> dict[int, int]:
    """Every booked appointment gets at least one reminder, and every pending reminder
    is due now. Returns reminders per appointment."""
    now = datetime.now(UTC)
    async with db.transaction() as session:
        booked = (
            await session.scalars(select(Appointment.id).where(Appointment.status == "booked"))
        ).all()
        planned = dict(
            (
                await session.execute(
                    select(Reminder.appointment_id, func.count())
                    .where(Reminder.appointment_id.in_(booked))
                    .group_by(Reminder.appointment_id)
                )
            ).all()
        )
        for appointment_id in booked:
            if not planned.get(appointment_id):
                session.add(
                    Reminder(
                        appointment_id=appointment_id,
                        kind="hours_before",
                        due_at=now,
                        status="pending",
                    )
                )
                planned[appointment_id] = 1
        await session.execute(
            update(Reminder)
            .where(Reminder.status == "pending")
            .values(due_at=now - timedelta(seconds=1))
        )
    return {int(k): int(v) for k, v in planned.items()}


async def wait_reminders_sent(db: Database, seconds: float = 30) -> Counter[str]:
    deadline = time.monotonic() + seconds
    while True:
        async with db.transaction() as session:
            statuses = Counter(
                dict(
                    (
                        await session.execute(
                            select(Reminder.status, func.count()).group_by(Reminder.status)
                        )
                    ).all()
                )
            )
        if not statuses.get("pending") or time.monotonic() > deadline:
            return statuses
        await asyncio.sleep(0.3)
