"""Indicators for the activity reports (JSON or CSV), over a period.

First contacts, people accompanied, referrals by theme / outcome / language / source,
intakes by age band and status (minors, BPI, formerly ASE), appointments by place, and
the median time from a referral to the first contact by a conseiller. QPV is not
derived yet (it needs an address geocoder) and is reported as unknown.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from statistics import median
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import CallerDep, database
from api.errors import ERRORS, IsoDateTime
from storage.models import Appointment, Conversation, Intake, Referral
from storage.types import utcnow

router = APIRouter(prefix="/api/v1", tags=["indicators"], responses=ERRORS)


async def _grouped(session: AsyncSession, column: Any, *where: Any) -> dict[str, int]:
    rows = await session.execute(select(column, func.count()).where(*where).group_by(column))
    return {str(key): int(count) for key, count in rows.all()}


async def _indicators(
    session: AsyncSession, start: datetime, end: datetime, structure: str | None
) -> dict[str, Any]:
    in_period = (Referral.created_at >= start, Referral.created_at < end)
    scoped = (*in_period, *((Referral.structure == structure,) if structure else ()))
    intakes = (Intake.created_at >= start, Intake.created_at < end)
    if structure:
        intakes = (
            *intakes,
            Intake.id.in_(select(Referral.intake_id).where(Referral.structure == structure)),
        )
    statuses = (await session.scalars(select(Intake.statuses).where(*intakes))).all()
    delays = [
        (first - created).total_seconds() / 3600
        for created, first in (
            await session.execute(
                select(Referral.created_at, Referral.first_contact_at).where(
                    *scoped, Referral.first_contact_at.is_not(None)
                )
            )
        ).all()
    ]
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "first_contacts": await session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.created_at >= start, Conversation.created_at < end)
        ),
        "people_accompanied": await session.scalar(
            select(func.count(func.distinct(Referral.conversation_id))).where(*scoped)
        ),
        "referrals": await session.scalar(
            select(func.count()).select_from(Referral).where(*scoped)
        ),
        "referrals_by_theme": await _grouped(session, Referral.theme, *scoped),
        "referrals_by_urgency": await _grouped(session, Referral.urgency, *scoped),
        "referrals_by_outcome": await _grouped(
            session, func.coalesce(Referral.outcome, "open"), *scoped
        ),
        "referrals_by_language": await _grouped(session, Referral.lang, *scoped),
        "intakes_by_age_band": await _grouped(
            session, func.coalesce(Intake.age_band, "not_said"), *intakes
        ),
        "intakes_by_source": await _grouped(
            session, func.coalesce(Intake.source, "direct"), *intakes
        ),
        "intakes_by_language": await _grouped(session, Intake.lang, *intakes),
        "minors": sum("minor" in s for s in statuses),
        "bpi": sum("bpi" in s for s in statuses),
        "formerly_ase": sum("formerly_ase" in s for s in statuses),
        "qpv": None,
        "appointments_by_place": await _grouped(
            session,
            Appointment.place_id,
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        ),
        "median_hours_to_first_contact": round(median(delays), 2) if delays else None,
    }


def _csv(figures: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicator", "key", "value"])
    for name, value in figures.items():
        if isinstance(value, dict):
            for key, count in value.items():
                writer.writerow([name, key, count])
        else:
            writer.writerow([name, "", "" if value is None else value])
    return out.getvalue()


@router.get(
    "/stats",
    response_model=None,
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
async def stats(
    request: Request,
    who: CallerDep,
    date_from: Annotated[IsoDateTime | None, Query(alias="from")] = None,
    date_to: Annotated[IsoDateTime | None, Query(alias="to")] = None,
    format: Literal["json", "csv"] = "json",
) -> dict[str, Any] | Response:
    end = date_to or utcnow()
    start = date_from or end - timedelta(days=365)
    structure = None if who.role == "admin" else who.structure
    async with database(request).transaction() as session:
        figures = await _indicators(session, start, end, structure)
    if format == "csv":
        return PlainTextResponse(_csv(figures), media_type="text/csv")
    return figures
