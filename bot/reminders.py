"""Due appointment reminders, told to each person by the engine in an ordinary turn.

Each run lists the due reminders (claimed with SKIP LOCKED while listed, as every clock
job; reminders of cancelled appointments are cancelled there), then tells each one in a
turn of the runtime (`Runtime.tell`), whose transaction first claims the reminder again
(SKIP LOCKED, still pending, appointment still booked) and marks it sent.

Why the mark is inside the turn: the reminder's message (outbox row) and its `sent`
status commit together or not at all. A crash before that commit leaves the reminder
pending and unsent, and the next run tells it; a crash after it leaves it sent, and no
run tells it again. Two workers listing the same reminder both try the turn, but only
one claims it: the other's turn is skipped and writes nothing. So a reminder is told
exactly once, and the person answers it with `nav.appt.*` like any other button.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.effects import appointment_facts
from bot.runtime import Prepare, Runtime
from conversations.model import Event, EventKind
from storage.booking import claim_reminder, due_reminders


def _claim(reminder_id: int, now: datetime) -> Prepare:
    async def claim(session: AsyncSession) -> dict[str, Any] | None:
        return {} if await claim_reminder(session, reminder_id, now) else None

    return claim


async def send_due_reminders(runtime: Runtime, now: datetime) -> int:
    """Tell every due reminder once; the number told."""
    async with runtime.db.transaction() as session:
        due = await due_reminders(session, now)
        events = [
            Event(
                EventKind.REMINDER_DUE,
                data={
                    "kind": reminder.kind,
                    "appointment": await appointment_facts(
                        session, runtime.engine, reminder.appointment
                    ),
                },
            )
            for reminder in due
        ]
    told = 0
    for reminder, event in zip(due, events, strict=True):
        outcome = await runtime.tell(
            reminder.person_key, reminder.channel, event, _claim(reminder.id, now)
        )
        told += outcome is not None
    return told
