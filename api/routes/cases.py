"""Read access to what the journeys wrote: intakes and appointments.

Admins see everything; a conseiller sees only rows of their own structure.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from sqlalchemy import select

from api.auth import CallerDep, database
from api.errors import ERRORS, IsoDate, RowId
from api.schemas import AppointmentOut, IntakeOut
from storage import casework
from storage.models import Appointment, Intake, Referral

router = APIRouter(prefix="/api/v1", tags=["cases"], responses=ERRORS)
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get("/intakes", response_model=list[IntakeOut])
async def list_intakes(
    request: Request, who: CallerDep, limit: Limit = 100, offset: Offset = 0
) -> list[Intake]:
    stmt = select(Intake).order_by(Intake.id.desc()).limit(limit).offset(offset)
    if who.role != "admin":
        mine = select(Referral.intake_id).where(Referral.structure == who.structure)
        stmt = stmt.where(Intake.id.in_(mine))
    async with database(request).transaction() as session:
        return list((await session.scalars(stmt)).all())


@router.get("/appointments", response_model=list[AppointmentOut])
async def list_appointments(
    request: Request, who: CallerDep, limit: Limit = 100, offset: Offset = 0
) -> list[Appointment]:
    stmt = select(Appointment).order_by(Appointment.starts_at).limit(limit).offset(offset)
    async with database(request).transaction() as session:
        return list((await session.scalars(stmt)).all())


@router.get("/agenda", response_model=list[AppointmentOut])
async def agenda(
    request: Request,
    who: CallerDep,
    day: IsoDate,
    place: Annotated[str | None, Query(max_length=64)] = None,
) -> list[Appointment]:
    """The day's booked appointments (in the deployment's time zone), optionally per place."""
    tz = request.app.state.services.engine.tz
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    stmt = select(Appointment).where(
        Appointment.starts_at >= start,
        Appointment.starts_at < end,
        Appointment.status != "cancelled",
    )
    if place:
        stmt = stmt.where(Appointment.place_id == place)
    async with database(request).transaction() as session:
        await casework.audit(session, who.token_id, "agenda", "appointment", None, day=str(day))
        return list((await session.scalars(stmt.order_by(Appointment.starts_at))).all())


@router.post("/appointments/{appointment_id}/no-show", response_model=AppointmentOut)
async def no_show(request: Request, who: CallerDep, appointment_id: RowId) -> Appointment:
    async with database(request).transaction() as session:
        appointment = await session.get(Appointment, appointment_id)
        if appointment is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "appointment not found")
        if appointment.status != "booked":
            raise HTTPException(status.HTTP_409_CONFLICT, f"appointment is {appointment.status}")
        appointment.status = "no_show"
        await casework.audit(session, who.token_id, "no_show", "appointment", appointment.id)
        return appointment
