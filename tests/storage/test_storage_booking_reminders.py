"""The one booking path (storage/booking.py): a seat comes with its reminders, a move
cancels the old appointment and its reminders, and a due reminder is claimed once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage import ConversationRepository, Database
from storage.booking import (
    ReminderPolicy,
    Seat,
    book_with_reminders,
    cancel_with_reminders,
    claim_reminder,
    due_reminders,
)
from storage.models import Appointment, Reminder

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2030, 12, 2, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris
POLICY = ReminderPolicy(PARIS)


def _seat(conversation_id: int, starts_at: datetime, capacity: int = 1) -> Seat:
    return Seat(
        conversation_id,
        f"ml-hq:{starts_at:%Y%m%d%H%M}",
        "ml-hq",
        "first_visit",
        starts_at,
        starts_at + timedelta(minutes=30),
        capacity,
        "fr",
    )


async def _conversation(db: Database) -> int:
    async with db.transaction() as session:
        return (await ConversationRepository(session).create("k" * 64, "web", "fr", {})).id


async def _reminders(db: Database) -> list[tuple[int, str, str]]:
    async with db.transaction() as session:
        rows = (await session.scalars(select(Reminder).order_by(Reminder.id))).all()
    return [(r.appointment_id, r.kind, r.status) for r in rows]


async def test_a_booking_plans_its_reminders_out_of_quiet_hours(db: Database) -> None:
    conversation = await _conversation(db)
    wednesday_9 = datetime(2030, 12, 4, 9, 0, tzinfo=PARIS)
    async with db.transaction() as session:
        booked = await book_with_reminders(session, _seat(conversation, wednesday_9), POLICY, NOW)
        assert booked is not None
        due = (await session.scalars(select(Reminder).order_by(Reminder.due_at))).all()
    # 24 h before is Tuesday 09:00; 2 h before (07:00) is in the quiet night: 08:00 then.
    assert [(r.kind, r.due_at.astimezone(PARIS).hour) for r in due] == [
        ("day_before", 9),
        ("hours_before", 8),
    ]


async def test_a_full_slot_books_nothing_and_plans_nothing(db: Database) -> None:
    conversation = await _conversation(db)
    starts = datetime(2030, 12, 4, 9, 0, tzinfo=PARIS)
    async with db.transaction() as session:
        assert await book_with_reminders(session, _seat(conversation, starts), POLICY, NOW)
        assert await book_with_reminders(session, _seat(conversation, starts), POLICY, NOW) is None
    assert len(await _reminders(db)) == 2


async def test_a_move_cancels_the_old_appointment_and_its_reminders(db: Database) -> None:
    conversation = await _conversation(db)
    first_at = datetime(2030, 12, 4, 9, 0, tzinfo=PARIS)
    async with db.transaction() as session:
        first = await book_with_reminders(session, _seat(conversation, first_at), POLICY, NOW)
        assert first is not None
        second = await book_with_reminders(
            session,
            _seat(conversation, first_at + timedelta(days=1)),
            POLICY,
            NOW,
            replaces=first.id,
        )
        assert second is not None
        statuses = {a.id: a.status for a in (await session.scalars(select(Appointment))).all()}
    assert statuses == {first.id: "cancelled", second.id: "booked"}
    reminders = await _reminders(db)
    assert {status for appointment, _, status in reminders if appointment == first.id} == {
        "cancelled"
    }
    assert {status for appointment, _, status in reminders if appointment == second.id} == {
        "pending"
    }


async def test_a_due_reminder_is_claimed_once_even_by_two_workers(db: Database) -> None:
    conversation = await _conversation(db)
    starts = datetime(2030, 12, 4, 9, 0, tzinfo=PARIS)
    async with db.transaction() as session:
        await book_with_reminders(session, _seat(conversation, starts), POLICY, NOW)
    later = starts - timedelta(hours=23)
    async with db.transaction() as session:
        (due,) = await due_reminders(session, later)
    assert due.kind == "day_before" and due.person_key == "k" * 64

    async def claim() -> bool:
        async with db.transaction() as session:
            won = await claim_reminder(session, due.id, later)
            await asyncio.sleep(0.05)  # hold the row while the other worker tries
            return won

    assert sorted(await asyncio.gather(claim(), claim())) == [False, True]
    async with db.transaction() as session:
        assert await due_reminders(session, later) == []


async def test_a_reminder_of_a_cancelled_appointment_is_never_claimed(db: Database) -> None:
    conversation = await _conversation(db)
    starts = datetime(2030, 12, 4, 9, 0, tzinfo=PARIS)
    async with db.transaction() as session:
        booked = await book_with_reminders(session, _seat(conversation, starts), POLICY, NOW)
        assert booked is not None
        (reminder_id,) = (
            await session.scalars(select(Reminder.id).where(Reminder.kind == "day_before"))
        ).all()
        assert await cancel_with_reminders(session, booked.id, conversation)
        assert await claim_reminder(session, reminder_id, starts) is False
