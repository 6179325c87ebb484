"""Read access to what the journeys wrote: intakes and appointments; the day's agenda.

Admins see every intake; a conseiller sees only the intakes behind their structure's
referrals. Each route parses, calls a casework service and shapes the answer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api import deps
from api.auth import CallerDep
from api.errors import ERRORS, IsoDate, RowId
from api.schemas import AppointmentOut, IntakeOut
from storage.models import Appointment, Intake

router = APIRouter(prefix="/api/v1", tags=["cases"], responses=ERRORS)
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get("/intakes", response_model=list[IntakeOut])
async def list_intakes(
    request: Request, who: CallerDep, limit: Limit = 100, offset: Offset = 0
) -> list[Intake]:
    return await deps.referrals(request, who).intakes(limit, offset)


@router.get("/appointments", response_model=list[AppointmentOut])
async def list_appointments(
    request: Request, who: CallerDep, limit: Limit = 100, offset: Offset = 0
) -> list[Appointment]:
    return await deps.agenda(request, who).appointments(limit, offset)


@router.get("/agenda", response_model=list[AppointmentOut])
async def agenda(
    request: Request,
    who: CallerDep,
    day: IsoDate,
    place: Annotated[str | None, Query(max_length=64)] = None,
) -> list[Appointment]:
    """The day's booked appointments (in the deployment's time zone), optionally per place."""
    return await deps.agenda(request, who).day(day, place)


@router.post("/appointments/{appointment_id}/no-show", response_model=AppointmentOut)
async def no_show(request: Request, who: CallerDep, appointment_id: RowId) -> Appointment:
    return await deps.agenda(request, who).no_show(appointment_id)
