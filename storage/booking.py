"""One booking path: a seat taken, its reminders planned, the appointment it replaces
cancelled — for a person booking in the chat and for a conseiller booking for them alike.

The database enforces capacity (`AppointmentRepository.book`); reminders are planned out
of quiet hours in the same transaction, so a booking is never left without them. The
other half of a reminder's life is here too: the due ones are listed (SKIP LOCKED, as
every clock job), and each is claimed again inside the turn that tells the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.appointments import BOOKED, AppointmentRepository
from storage.models import Appointment, Conversation, Opening, Reminder
from storage.reminders import ReminderRepository, reminder_times


@dataclass(frozen=True)
class ReminderPolicy:
    """When appointments are reminded: hours before the start, never in quiet hours."""

    tz: tzinfo
    hours_before: tuple[int, ...] = (24, 2)
    # No reminder between these local hours (from, to).
    quiet_hours: tuple[int, int] = (21, 8)


@dataclass(frozen=True)
class Seat:
    """A seat in one slot, for one conversation."""

    conversation_id: int
    slot_key: str
    place_id: str
    service: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    lang: str


async def book_with_reminders(
    session: AsyncSession,
    seat: Seat,
    policy: ReminderPolicy,
    now: datetime,
    replaces: int | None = None,
) -> Appointment | None:
    """Take the seat and plan its reminders; None when the slot is full. `replaces`, an
    appointment of the same conversation, is cancelled with its reminders."""
    booked = await AppointmentRepository(session).book(
        conversation_id=seat.conversation_id,
        slot_key=seat.slot_key,
        place_id=seat.place_id,
        service=seat.service,
        starts_at=seat.starts_at,
        ends_at=seat.ends_at,
        capacity=seat.capacity,
        lang=seat.lang,
    )
    if booked is None:
        return None
    due = reminder_times(seat.starts_at, now, policy.hours_before, policy.quiet_hours, policy.tz)
    await ReminderRepository(session).plan(booked, due)
    if replaces is not None:
        await cancel_with_reminders(session, replaces, seat.conversation_id)
    return booked


async def cancel_with_reminders(
    session: AsyncSession, appointment_id: int, conversation_id: int
) -> bool:
    """Cancel a booked appointment of the conversation, free its seat, drop its reminders."""
    if not await AppointmentRepository(session).cancel(appointment_id, conversation_id):
        return False
    await ReminderRepository(session).cancel_for(appointment_id)
    return True


@dataclass(frozen=True)
class DueReminder:
    """A reminder to tell: whom (person key, channel) and about which appointment."""

    id: int
    kind: str
    person_key: str
    channel: str
    appointment: Appointment


async def due_reminders(
    session: AsyncSession, now: datetime, limit: int = 200
) -> list[DueReminder]:
    """Due reminders, claimed with SKIP LOCKED while listed; those whose appointment or
    conversation is gone are cancelled here."""
    due = []
    for reminder in await ReminderRepository(session).claim_due(now, limit):
        appointment = await session.get(Appointment, reminder.appointment_id)
        conversation = (
            await session.get(Conversation, appointment.conversation_id)
            if appointment and appointment.conversation_id
            else None
        )
        if appointment is None or appointment.status != BOOKED or conversation is None:
            reminder.status = "cancelled"
            continue
        due.append(
            DueReminder(
                reminder.id,
                reminder.kind,
                conversation.person_key,
                conversation.channel,
                appointment,
            )
        )
    return due


async def claim_reminder(session: AsyncSession, reminder_id: int, now: datetime) -> bool:
    """Mark a due reminder sent, in the transaction of the turn that tells it; False when
    another worker holds or sent it, or its appointment was cancelled meanwhile."""
    stmt = (
        select(Reminder)
        .join(Appointment, Appointment.id == Reminder.appointment_id)
        .where(Reminder.id == reminder_id, Reminder.status == "pending")
        .where(Appointment.status == BOOKED)
        .with_for_update(skip_locked=True, of=Reminder)
    )
    reminder = (await session.scalars(stmt)).first()
    if reminder is None:
        return False
    reminder.status, reminder.sent_at = "sent", now
    await session.flush()
    return True


async def opening_place(session: AsyncSession, place_id: str) -> tuple[str, str] | None:
    """Name and address of the latest dated opening (a bus stop) at `place_id`, if any."""
    stmt = select(Opening.name, Opening.address).where(Opening.place_id == place_id)
    row = (await session.execute(stmt.order_by(Opening.id.desc()).limit(1))).first()
    return (row.name, row.address) if row else None
