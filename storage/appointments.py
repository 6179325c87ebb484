"""Appointment repository: slot booking with a capacity that holds under concurrency.

Booking first makes sure the slot row exists (INSERT ... ON CONFLICT DO NOTHING), then takes
a seat with one conditional UPDATE (`booked < capacity`), which the database serialises on
the row: no read-modify-write race, on SQLite or PostgreSQL. Cancelling gives the seat back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Appointment, Slot
from storage.types import utcnow

BOOKED = "booked"
CANCELLED = "cancelled"


class AppointmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _insert_ignore(self, values: dict[str, Any]) -> Insert:
        dialect = self._session.get_bind().dialect.name
        if dialect == "postgresql":
            return postgresql.insert(Slot).values(values).on_conflict_do_nothing()
        if dialect == "sqlite":
            return sqlite.insert(Slot).values(values).on_conflict_do_nothing()
        raise NotImplementedError(f"unsupported dialect {dialect}")

    async def book(
        self,
        *,
        conversation_id: int | None,
        slot_key: str,
        place_id: str,
        service: str,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int,
        lang: str,
    ) -> Appointment | None:
        """Take a seat in the slot; None when it is full."""
        await self._session.execute(
            self._insert_ignore(
                {
                    "key": slot_key,
                    "place_id": place_id,
                    "service": service,
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "capacity": capacity,
                    "booked": 0,
                }
            )
        )
        taken = await self._session.execute(
            update(Slot)
            .where(Slot.key == slot_key, Slot.booked < Slot.capacity)
            .values(booked=Slot.booked + 1)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 0:  # type: ignore[attr-defined]
            return None
        appointment = Appointment(
            conversation_id=conversation_id,
            slot_key=slot_key,
            place_id=place_id,
            service=service,
            starts_at=starts_at,
            status=BOOKED,
            lang=lang,
            created_at=utcnow(),
        )
        self._session.add(appointment)
        await self._session.flush()
        return appointment

    async def cancel(self, appointment_id: int, conversation_id: int) -> bool:
        """Cancel a booked appointment of that conversation and free its seat."""
        result = await self._session.execute(
            update(Appointment)
            .where(
                Appointment.id == appointment_id,
                Appointment.conversation_id == conversation_id,
                Appointment.status == BOOKED,
            )
            .values(status=CANCELLED, cancelled_at=utcnow())
            .returning(Appointment.slot_key)
            .execution_options(synchronize_session="fetch")
        )
        slot_key = result.scalar_one_or_none()
        if slot_key is None:
            return False
        await self._session.execute(
            update(Slot)
            .where(Slot.key == slot_key, Slot.booked > 0)
            .values(booked=Slot.booked - 1)
            .execution_options(synchronize_session=False)
        )
        return True

    async def booked_counts(
        self, place_ids: list[str], start: datetime, end: datetime
    ) -> dict[str, int]:
        """Seats taken per slot key, for slots of these places starting in [start, end)."""
        if not place_ids:
            return {}
        stmt = select(Slot.key, Slot.booked).where(
            Slot.place_id.in_(place_ids), Slot.starts_at >= start, Slot.starts_at < end
        )
        return {key: booked for key, booked in (await self._session.execute(stmt)).all()}

    async def list(self, limit: int = 100, offset: int = 0) -> list[Appointment]:
        """Most recently booked first."""
        stmt = (
            select(Appointment)
            .order_by(Appointment.created_at.desc(), Appointment.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [*(await self._session.scalars(stmt)).all()]

    async def for_conversation(
        self, conversation_id: int, now: datetime | None = None
    ) -> list[Appointment]:
        """Booked appointments of the conversation that have not started yet, soonest first."""
        stmt = (
            select(Appointment)
            .where(
                Appointment.conversation_id == conversation_id,
                Appointment.status == BOOKED,
                Appointment.starts_at > (now or utcnow()),
            )
            .order_by(Appointment.starts_at, Appointment.id)
        )
        return [*(await self._session.scalars(stmt)).all()]
