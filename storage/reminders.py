"""Reminder repository: the reminders of booked appointments, and when they fall due.

A booking plans its reminders (`reminder_times`, out of quiet hours) in the booking's
transaction; the scheduler claims due ones (SKIP LOCKED) and writes them to the person's
outbox; a cancelled appointment cancels its pending reminders.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Appointment, Reminder


class ReminderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def plan(self, appointment: Appointment, due: Sequence[tuple[str, datetime]]) -> None:
        for kind, when in due:
            self._session.add(
                Reminder(appointment_id=appointment.id, kind=kind, due_at=when, status="pending")
            )
        await self._session.flush()

    async def cancel_for(self, appointment_id: int) -> None:
        await self._session.execute(
            update(Reminder)
            .where(Reminder.appointment_id == appointment_id, Reminder.status == "pending")
            .values(status="cancelled")
            .execution_options(synchronize_session=False)
        )

    async def claim_due(self, now: datetime, limit: int = 200) -> list[Reminder]:
        """Due reminders, locked (SKIP LOCKED): two workers never send the same one."""
        stmt = (
            select(Reminder)
            .where(Reminder.status == "pending", Reminder.due_at <= now)
            .order_by(Reminder.due_at, Reminder.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self._session.scalars(stmt)).all())


def reminder_times(
    starts_at: datetime,
    now: datetime,
    hours_before: Sequence[int],
    quiet: tuple[int, int],
    tz: Any,
) -> list[tuple[str, datetime]]:
    """When to remind: each offset before the start, moved out of quiet hours (earlier
    evening or the same morning), never in the past and never after the start."""
    planned: list[tuple[str, datetime]] = []
    night_starts, night_ends = quiet
    for hours in hours_before:
        due = (starts_at - timedelta(hours=hours)).astimezone(tz)
        if due.hour >= night_starts:
            due = due.replace(hour=night_starts - 1, minute=0, second=0, microsecond=0)
        elif due.hour < night_ends:
            morning = due.replace(hour=night_ends, minute=0, second=0, microsecond=0)
            evening = (due - timedelta(days=1)).replace(
                hour=night_starts - 1, minute=0, second=0, microsecond=0
            )
            due = morning if morning < starts_at else evening
        if now <= due < starts_at:
            kind = "day_before" if hours >= 12 else "hours_before"
            if all(k != kind for k, _ in planned):
                planned.append((kind, due))
    return planned
