"""The bus kiosk's "met today" button (`/?kiosk=...&place=...`): the outreach team taps
it for each young person met, and the page shows the day's count.

Anonymous by design: a count per day (in the deployment's time zone) and bus stop, no
IP, no session, nothing typed (storage/kiosk.py). The place is optional and must be one
of the directory's bus stops (a place with a mobile permanence), else 404. Like every
`/webchat/` route it is rate-limited per client IP (bot/webchat/ratelimit.py), and a day
and place's count stops at `storage.kiosk.MAX_PER_DAY`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from bot.webchat.errors import PUBLIC_ERRORS
from conversations.directory import Deployment
from storage import Database
from storage.kiosk import count_met, met_on
from storage.types import utcnow

router = APIRouter(prefix="/webchat/kiosk", tags=["web chat"], responses=PUBLIC_ERRORS)
PlaceId = Annotated[str | None, Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,64}$")]


class MetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    place: PlaceId = None


class MetOut(BaseModel):
    day: date
    place: str | None
    count: int
    # False when the day's cap was reached: this tap was not counted.
    counted: bool = True


def bus_stops(deployment: Deployment) -> frozenset[str]:
    return frozenset(p.place for p in deployment.permanences if p.mobile)


def _where(request: Request, place: str | None) -> tuple[Database, date, str]:
    services = request.app.state.services
    if place is not None and place not in bus_stops(services.engine.deployment):
        raise HTTPException(404, f"unknown bus stop: {place}")
    today = utcnow().astimezone(services.engine.tz).date()
    return services.db, today, place or ""


@router.get("/met", response_model=MetOut)
async def met_today(
    request: Request,
    place: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.-]{1,64}$")] = None,
) -> MetOut:
    db, today, where = _where(request, place)
    async with db.transaction() as session:
        count = await met_on(session, today, where)
    return MetOut(day=today, place=place, count=count)


@router.post("/met", response_model=MetOut)
async def count_one(request: Request, body: MetIn) -> MetOut:
    db, today, where = _where(request, body.place)
    async with db.transaction() as session:
        count, counted = await count_met(session, today, where)
    return MetOut(day=today, place=body.place, count=count, counted=counted)
