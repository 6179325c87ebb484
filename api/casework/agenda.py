"""The appointments as conseillers work them: the list, a day's agenda, a place's coming
bookings (for its calendar feed), and marking a person as not come (no-show).

A conseiller sees their structure's appointments only: those of the services it runs
(`api.casework.scoping`); another structure's appointment is "not found". Every read
(with the ids it returned) and every change is written to the audit log.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from api.casework.caller import Caller, audit
from api.casework.errors import Conflict, NotFound
from api.casework.scoping import scope_of
from conversations.directory import Deployment
from storage import Database
from storage.agenda import AgendaRepository
from storage.models import Appointment
from storage.openings import OpeningRepository
from storage.types import utcnow

FEED_DAYS: Final = 60


class AgendaService:
    def __init__(self, db: Database, who: Caller, deployment: Deployment, tz: tzinfo) -> None:
        self._db, self._who, self._tz = db, who, tz
        self._deployment = deployment
        self._scope = scope_of(who, deployment)

    async def appointments(self, limit: int, offset: int) -> list[Appointment]:
        async with self._db.transaction() as session:
            found = await AgendaRepository(session).page(self._scope, limit, offset)
            await audit(session, self._who, "list", "appointment", None, ids=_ids(found))
        return found

    async def day(self, day: date, place: str | None) -> list[Appointment]:
        """The day's appointments not cancelled (in the deployment's time zone)."""
        start = datetime.combine(day, time(0), self._tz)
        end = datetime.combine(day + timedelta(days=1), time(0), self._tz)
        async with self._db.transaction() as session:
            found = await AgendaRepository(session).between(self._scope, start, end, place)
            await audit(
                session, self._who, "agenda", "appointment", None, day=str(day), ids=_ids(found)
            )
        return found

    async def coming_at(self, place: str) -> list[Appointment]:
        """The place's booked appointments of the next `FEED_DAYS` days; a place the
        caller's structure does not serve is "not found"."""
        now = utcnow()
        async with self._db.transaction() as session:
            if not await self._serves(session, place):
                raise NotFound("place not found")
            booked = await AgendaRepository(session).booked_at(
                self._scope, place, now, now + timedelta(days=FEED_DAYS)
            )
            await audit(session, self._who, "agenda", "place", None, place=place, ids=_ids(booked))
        return booked

    async def no_show(self, appointment_id: int) -> Appointment:
        async with self._db.transaction() as session:
            appointment = await AgendaRepository(session).get(appointment_id, self._scope)
            if appointment is None:
                raise NotFound("appointment not found")
            if appointment.status != "booked":
                raise Conflict(f"appointment is {appointment.status}")
            appointment.status = "no_show"
            await audit(session, self._who, "no_show", "appointment", appointment.id)
        return appointment

    async def _serves(self, session: AsyncSession, place: str) -> bool:
        if self._scope.everything or place in self._scope.places:
            return True
        services = await OpeningRepository(session).services_at(place)
        return bool(services & self._scope.services)


def _ids(rows: list[Appointment]) -> list[int]:
    return [row.id for row in rows]
