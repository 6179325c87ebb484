"""Contract tests for slot booking: capacity, cancellation and concurrent bookings.

The concurrency test fires 50 bookings at a slot of capacity 10, each in its own
`db.transaction()`, and expects exactly 10 appointments and `slots.booked == 10`, on both
SQLite (process lock + BEGIN IMMEDIATE) and PostgreSQL (row-level conditional UPDATE).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage import AppointmentRepository, ConversationRepository, Database
from storage.models import Appointment, Slot

START = datetime(2030, 12, 2, 14, 0, tzinfo=UTC)
KEY = "ml-hq:203012021400"


async def _conversation(db: Database, n: int = 0) -> int:
    async with db.transaction() as session:
        conv = await ConversationRepository(session).create(f"{n:064d}", "web", "fr", {})
        return conv.id


async def _book(db: Database, conversation_id: int, capacity: int = 2) -> Appointment | None:
    async with db.transaction() as session:
        return await AppointmentRepository(session).book(
            conversation_id=conversation_id,
            slot_key=KEY,
            place_id="ml-hq",
            service="first-meeting",
            starts_at=START,
            ends_at=START + timedelta(minutes=30),
            capacity=capacity,
            lang="fr",
        )


async def _slot(db: Database) -> Slot:
    async with db.transaction() as session:
        slot = await session.get(Slot, KEY)
        assert slot is not None
        return slot


async def test_capacity_is_respected_and_cancel_frees_a_seat(db: Database) -> None:
    conv_id = await _conversation(db)
    first = await _book(db, conv_id)
    second = await _book(db, conv_id)
    assert first is not None and second is not None
    assert await _book(db, conv_id) is None
    assert (await _slot(db)).booked == 2

    async with db.transaction() as session:
        repo = AppointmentRepository(session)
        assert await repo.cancel(first.id, conv_id + 1) is False  # not their appointment
        assert await repo.cancel(first.id, conv_id) is True
        assert await repo.cancel(first.id, conv_id) is False  # already cancelled
    assert (await _slot(db)).booked == 1

    third = await _book(db, conv_id)
    assert third is not None and (await _slot(db)).booked == 2


async def test_counts_listing_and_upcoming(db: Database) -> None:
    conv_id = await _conversation(db)
    booked = await _book(db, conv_id)
    assert booked is not None and booked.starts_at == START
    async with db.transaction() as session:
        repo = AppointmentRepository(session)
        day = START.replace(hour=0)
        later = START + timedelta(minutes=1)
        assert await repo.booked_counts(["ml-hq"], day, day + timedelta(days=1)) == {KEY: 1}
        assert await repo.booked_counts(["other"], day, day + timedelta(days=1)) == {}
        assert await repo.booked_counts(["ml-hq"], later, day + timedelta(days=1)) == {}
        assert [a.id for a in await repo.list(10, 0)] == [booked.id]
        upcoming = await repo.for_conversation(conv_id, now=START - timedelta(days=1))
        assert [a.slot_key for a in upcoming] == [KEY]
        assert upcoming[0].starts_at == START
        assert await repo.for_conversation(conv_id, now=START) == []
        assert await repo.cancel(booked.id, conv_id)
        assert await repo.for_conversation(conv_id, now=START - timedelta(days=1)) == []


async def test_fifty_concurrent_bookings_on_ten_seats(db: Database) -> None:
    conv_ids = [await _conversation(db, n) for n in range(50)]
    results = await asyncio.gather(*(_book(db, conv_id, capacity=10) for conv_id in conv_ids))
    assert sum(result is not None for result in results) == 10
    assert (await _slot(db)).booked == 10
    async with db.transaction() as session:
        count = await session.scalar(select(func.count()).select_from(Appointment))
    assert count == 10
