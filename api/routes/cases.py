"""Read access to what the journeys wrote: referrals, intakes, appointments.

Admins see everything; a conseiller sees only rows of their own structure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from api.auth import CallerDep, database
from storage.models import Appointment, Intake, Referral

router = APIRouter(prefix="/api/v1", tags=["cases"])
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]


class _Row(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ReferralOut(_Row):
    id: int
    intake_id: int | None
    theme: str
    urgency: str
    reason: str
    structure: str | None
    role: str | None
    rule_id: str | None
    status: str
    summary: dict[str, Any]
    lang: str
    created_at: datetime


class IntakeOut(_Row):
    id: int
    theme: str
    answers: dict[str, Any]
    age_band: str | None
    commune: str | None
    territory: str | None
    statuses: list[str]
    urgency: str
    signals: list[str]
    lang: str
    source: str | None
    channel: str
    created_at: datetime


class AppointmentOut(_Row):
    id: int
    slot_key: str
    place_id: str
    service: str
    starts_at: datetime
    status: str
    lang: str
    created_at: datetime


@router.get("/referrals", response_model=list[ReferralOut])
async def list_referrals(
    request: Request, who: CallerDep, limit: Limit = 100, offset: Offset = 0
) -> list[Referral]:
    stmt = select(Referral).order_by(Referral.id.desc()).limit(limit).offset(offset)
    if who.role != "admin":
        stmt = stmt.where(Referral.structure == who.structure)
    async with database(request).transaction() as session:
        return list((await session.scalars(stmt)).all())


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
