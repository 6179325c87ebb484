"""Free slots of the deployment's places, and booking one for a referral's young person.

Slots are generated from the directory's opening patterns; seats are counted in the
database, which enforces capacity. The person is told in their own language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from api.auth import CallerDep, database
from api.errors import ERRORS, RowId
from api.routes.referrals import visible_referral
from api.schemas import AppointmentOut
from conversations.formatting import clock, day
from conversations.i18n import N_
from conversations.slots import SlotOffer, generate
from storage import AppointmentRepository, OutboxRepository, casework
from storage.models import Appointment, Conversation
from storage.types import utcnow

router = APIRouter(prefix="/api/v1", tags=["appointments"], responses=ERRORS)
BOOKED_FOR_YOU = N_("An adviser booked an appointment for you: {when}, {place} ({address}).")
WHEN = N_("{day} at {time}")


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
    engine = request.app.state.services.engine
    offer = next((o for o in await _offers(request, None) if o.key == body.slot_key), None)
    if offer is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such future slot")
    async with database(request).transaction() as session:
        referral = await visible_referral(session, who, referral_id)
        conversation = (
            await session.get(Conversation, referral.conversation_id)
            if referral.conversation_id
            else None
        )
        if conversation is None:
            raise HTTPException(status.HTTP_409_CONFLICT, "the person's conversation is gone")
        lang = conversation.lang or "fr"
        booked = await AppointmentRepository(session).book(
            conversation_id=conversation.id,
            slot_key=offer.key,
            place_id=offer.place_id,
            service=referral.theme,
            starts_at=offer.starts_at,
            ends_at=offer.ends_at,
            capacity=offer.capacity,
            lang=lang,
        )
        if booked is None:
            raise HTTPException(status.HTTP_409_CONFLICT, "this slot is full")
        place = engine.deployment.places[offer.place_id]
        catalogs = engine.catalogs
        when = catalogs.gettext(lang, WHEN).format(
            day=day(offer.starts_at, lang, engine.tz), time=clock(offer.starts_at, lang, engine.tz)
        )
        text = catalogs.gettext(lang, BOOKED_FOR_YOU).format(
            when=when, place=place.name, address=f"\u2068{place.address}\u2069"
        )
        await OutboxRepository(session).add(
            conversation.id, conversation.channel, {"text": text, "buttons": [], "urgent": False}
        )
        await casework.touch_first_contact(session, referral.id, utcnow())
        await casework.audit(session, who.token_id, "book", "referral", referral.id, slot=offer.key)
        return booked
