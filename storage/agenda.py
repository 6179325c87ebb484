"""Agenda repository: the booked appointments as conseillers read them.

All appointments page by page, the appointments of a day (optionally at one place), and
a place's coming bookings for its calendar feed — each within the caller's `Scope` (an
appointment belongs to the structure that runs its service, storage/scope.py). Booking
itself (seats, capacity) is `storage.appointments`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Appointment
from storage.scope import Scope


class AgendaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, appointment_id: int, scope: Scope) -> Appointment | None:
        """The appointment if it is in scope (None otherwise, even if it exists)."""
        appointment = await self._session.get(Appointment, appointment_id)
        if appointment is None or not scope.allows_appointment(appointment):
            return None
        return appointment

    async def page(self, scope: Scope, limit: int = 100, offset: int = 0) -> list[Appointment]:
        """The appointments in scope, earliest first."""
        stmt = (
            select(Appointment)
            .where(*scope.appointments())
            .order_by(Appointment.starts_at, Appointment.id)
            .limit(limit)
            .offset(offset)
        )
        return [*(await self._session.scalars(stmt)).all()]

    async def between(
        self, scope: Scope, start: datetime, end: datetime, place: str | None = None
    ) -> list[Appointment]:
        """Appointments in scope, not cancelled, that start in [start, end), optionally at
        one place."""
        stmt = select(Appointment).where(
            *scope.appointments(),
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
            Appointment.status != "cancelled",
        )
        if place:
            stmt = stmt.where(Appointment.place_id == place)
        return [*(await self._session.scalars(stmt.order_by(Appointment.starts_at))).all()]

    async def booked_at(
        self, scope: Scope, place: str, start: datetime, end: datetime
    ) -> list[Appointment]:
        """The place's appointments in scope still booked that start in [start, end)."""
        stmt = select(Appointment).where(
            *scope.appointments(),
            Appointment.place_id == place,
            Appointment.status == "booked",
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        return [*(await self._session.scalars(stmt.order_by(Appointment.starts_at))).all()]
