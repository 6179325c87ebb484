"""Dated openings (bus stops, one-off slots), closures and reminders of appointments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Appointment, Closure, Opening, Reminder, Subscription


class OpeningRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, **fields: Any) -> Opening:
        opening = Opening(**fields)
        self._session.add(opening)
        await self._session.flush()
        return opening

    async def between(
        self, start: datetime, end: datetime, kind: str | None = None
    ) -> Sequence[Opening]:
        stmt = select(Opening).where(Opening.ends_at > start, Opening.starts_at < end)
        if kind:
            stmt = stmt.where(Opening.kind == kind)
        return (await self._session.scalars(stmt.order_by(Opening.starts_at, Opening.id))).all()

    async def closures_between(self, start: datetime, end: datetime) -> Sequence[Closure]:
        stmt = select(Closure).where(Closure.ends_at > start, Closure.starts_at < end)
        return (await self._session.scalars(stmt)).all()

    async def add_closure(self, **fields: Any) -> Closure:
        closure = Closure(**fields)
        self._session.add(closure)
        await self._session.flush()
        return closure


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


class SubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def set(self, conversation_id: int, topic: str, territory: str | None, on: bool) -> None:
        await self._session.execute(
            delete(Subscription).where(
                Subscription.conversation_id == conversation_id, Subscription.topic == topic
            )
        )
        if on:
            self._session.add(
                Subscription(conversation_id=conversation_id, topic=topic, territory=territory)
            )
        await self._session.flush()

    async def subscribers(self, topic: str, territory: str | None) -> Sequence[Subscription]:
        stmt = select(Subscription).where(Subscription.topic == topic)
        if territory:
            stmt = stmt.where(
                or_(Subscription.territory == territory, Subscription.territory.is_(None))
            )
        return (await self._session.scalars(stmt)).all()


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
