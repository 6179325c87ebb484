"""Free slots of the deployment's places, and booking one for a referral's young person.

Slots are generated from the directory's opening patterns; seats are counted in the
database, which enforces capacity. A conseiller's booking takes the chat's booking path,
reminders included, and the person is told by the engine (api/casework/booking.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from api.auth import CallerDep, database
from api.casework.booking import BookingService
from api.casework.errors import NotFound
from api.errors import ERRORS, RowId
from api.schemas import AppointmentOut
from conversations.slots import SlotOffer, generate
from storage import AppointmentRepository
from storage.models import Appointment
from storage.types import utcnow

router = APIRouter(prefix="/api/v1", tags=["appointments"], responses=ERRORS)


class SlotOut(BaseModel):
    key: str
    place_id: str
    service: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    free: int


class BookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slot_key: Annotated[str, Field(min_length=1, max_length=96)]


async def _offers(request: Request, place: str | None) -> list[SlotOffer]:
    engine = request.app.state.services.engine
    offers = [
        offer
        for permanence in engine.deployment.bookable()
        if place in (None, permanence.place)
        for offer in generate(permanence, utcnow(), engine.tz)
    ]
    return sorted(offers, key=lambda o: o.starts_at)


@router.get("/slots", response_model=list[SlotOut])
async def free_slots(
    request: Request,
    who: CallerDep,
    place: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[SlotOut]:
    offers = await _offers(request, place)
    if not offers:
        return []
    async with database(request).transaction() as session:
        counts = await AppointmentRepository(session).booked_counts(
            sorted({o.place_id for o in offers}), offers[0].starts_at, offers[-1].ends_at
        )
    return [
        SlotOut(
            **{k: getattr(o, k) for k in SlotOut.model_fields if k != "free"},
            free=o.capacity - counts.get(o.key, 0),
        )
        for o in offers
        if counts.get(o.key, 0) < o.capacity
    ][:limit]


@router.post(
    "/referrals/{referral_id}/appointments", response_model=AppointmentOut, status_code=201
)
async def book_for_referral(
    request: Request, who: CallerDep, referral_id: RowId, body: BookIn
) -> Appointment:
    """Book a seat for the referral's person (api/casework/booking.py)."""
    services = request.app.state.services
    offer = next((o for o in await _offers(request, None) if o.key == body.slot_key), None)
    if offer is None:
        raise NotFound("no such future slot")
    booking = BookingService(services.db, who, services.runtime, services.reminders)
    return await booking.book_for_referral(referral_id, offer)
