"""Dated openings (outreach-bus stops, one-off slots), closures, and places' agendas.

The outreach team publishes the bus's stops here; people who opted in near a stop are
told at once, in their language. Closures (holidays) remove slots. Conseillers can
subscribe to a place's agenda as a calendar feed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import delete, select

from api.auth import CallerDep, database
from api.errors import ERRORS, RowId
from api.notify.reminders import announce_bus_stop
from conversations.ics import calendar_file
from storage import casework
from storage.models import Appointment, Closure, Opening
from storage.openings import OpeningRepository
from storage.types import utcnow

router = APIRouter(prefix="/api/v1", tags=["appointments"], responses=ERRORS)


class OpeningIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["bus_stop", "one_off"]
    place_id: Annotated[str | None, Field(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")] = None
    name: Annotated[str, Field(min_length=1, max_length=120)]
    address: Annotated[str, Field(max_length=250)] = ""
    territory: Annotated[str | None, Field(max_length=64)] = None
    service: Annotated[str, Field(min_length=1, max_length=64)] = "ml-milo-machine"
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    slot_minutes: Annotated[int, Field(ge=5, le=240)] = 30
    capacity: Annotated[int, Field(ge=1, le=100)] = 2
    announce: bool = True


class OpeningOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    place_id: str
    name: str
    address: str
    territory: str | None
    service: str
    starts_at: datetime
    ends_at: datetime
    slot_minutes: int
    capacity: int
    announced_at: datetime | None
    told: int = 0


class ClosureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    place_id: Annotated[str | None, Field(max_length=64)] = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: Annotated[str, Field(max_length=120)] = ""


class ClosureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    place_id: str | None
    starts_at: datetime
    ends_at: datetime
    reason: str


def _ordered(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at or ends_at - starts_at > timedelta(days=62):
        raise HTTPException(
            status.HTTP_409_CONFLICT, "ends_at must be after starts_at, at most 62 days later"
        )


@router.post("/openings", response_model=OpeningOut, status_code=201)
async def publish_opening(request: Request, who: CallerDep, body: OpeningIn) -> OpeningOut:
    _ordered(body.starts_at, body.ends_at)
    services = request.app.state.services
    async with database(request).transaction() as session:
        opening = await OpeningRepository(session).add(
            **body.model_dump(exclude={"announce", "place_id"}),
            place_id=body.place_id or f"{body.kind.replace('_', '-')}-{utcnow():%Y%m%d%H%M%S%f}",
        )
        await casework.audit(session, who.token_id, "publish", "opening", opening.id)
        opening_id = opening.id
    told = 0
    if body.kind == "bus_stop" and body.announce:
        told = await announce_bus_stop(services.db, services.engine, opening_id, utcnow())
    async with database(request).transaction() as session:
        saved = await session.get(Opening, opening_id)
        return OpeningOut.model_validate(saved).model_copy(update={"told": told})


@router.get("/openings", response_model=list[OpeningOut])
async def list_openings(
    request: Request,
    who: CallerDep,
    kind: Literal["bus_stop", "one_off"] | None = None,
    days: Annotated[int, Query(ge=1, le=92)] = 14,
) -> list[Opening]:
    now = utcnow()
    async with database(request).transaction() as session:
        return list(await OpeningRepository(session).between(now, now + timedelta(days=days), kind))


@router.delete("/openings/{opening_id}", status_code=204)
async def withdraw_opening(request: Request, who: CallerDep, opening_id: RowId) -> None:
    async with database(request).transaction() as session:
        result = await session.execute(delete(Opening).where(Opening.id == opening_id))
        if not result.rowcount:  # type: ignore[attr-defined]
            raise HTTPException(status.HTTP_404_NOT_FOUND, "opening not found")
        await casework.audit(session, who.token_id, "withdraw", "opening", opening_id)


@router.post("/closures", response_model=ClosureOut, status_code=201)
async def add_closure(request: Request, who: CallerDep, body: ClosureIn) -> Closure:
    _ordered(body.starts_at, body.ends_at)
    async with database(request).transaction() as session:
        closure = await OpeningRepository(session).add_closure(**body.model_dump())
        await casework.audit(session, who.token_id, "close", "place", None, place=body.place_id)
        return closure


@router.get("/closures", response_model=list[ClosureOut])
async def list_closures(request: Request, who: CallerDep) -> list[Closure]:
    async with database(request).transaction() as session:
        return list((await session.scalars(select(Closure).order_by(Closure.starts_at))).all())


@router.get(
    "/places/{place_id}/agenda.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
async def place_agenda(request: Request, who: CallerDep, place_id: str) -> Response:
    """The place's booked appointments of the next 60 days, as a calendar feed."""
    engine = request.app.state.services.engine
    place = engine.deployment.places.get(place_id)
    now = utcnow()
    stmt = select(Appointment).where(
        Appointment.place_id == place_id,
        Appointment.status == "booked",
        Appointment.starts_at >= now,
        Appointment.starts_at < now + timedelta(days=60),
    )
    async with database(request).transaction() as session:
        rows = (await session.scalars(stmt.order_by(Appointment.starts_at))).all()
        await casework.audit(session, who.token_id, "agenda", "place", None, place=place_id)
    items = [(a.id, f"Relais #{a.id} ({a.service})", a.starts_at, place) for a in rows]
    return Response(calendar_file(items), media_type="text/calendar")
