"""Dated openings (outreach-bus stops, one-off slots), closures, and places' agendas.

The outreach team publishes the bus's stops here; people who opted in near a stop are
told at once, in their language (`api.casework.openings`). Closures (holidays) remove
slots. Conseillers can subscribe to a place's agenda as a calendar feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api import deps
from api.auth import CallerDep
from api.errors import ERRORS, RowId
from api.staff_text import RequiredLine, StaffLine
from conversations.ics import calendar_file
from storage.models import Closure, Opening

router = APIRouter(prefix="/api/v1", tags=["appointments"], responses=ERRORS)


class OpeningIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["bus_stop", "one_off"]
    place_id: Annotated[str | None, Field(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")] = None
    name: Annotated[RequiredLine, Field(min_length=1, max_length=120)]
    address: Annotated[StaffLine, Field(max_length=250)] = ""
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
    """No `place_id`: every place (admins only)."""

    model_config = ConfigDict(extra="forbid")
    place_id: Annotated[str | None, Field(max_length=64)] = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: Annotated[StaffLine, Field(max_length=120)] = ""


class ClosureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    place_id: str | None
    starts_at: datetime
    ends_at: datetime
    reason: str


@router.post("/openings", response_model=OpeningOut, status_code=201)
async def publish_opening(request: Request, who: CallerDep, body: OpeningIn) -> OpeningOut:
    """Publish an opening. A conseiller publishes for their structure's services and never
    announces: a bus stop is announced to the young people by an admin."""
    fields = body.model_dump(exclude={"announce"})
    opening, told = await deps.openings(request, who).publish(fields, body.announce)
    return OpeningOut.model_validate(opening).model_copy(update={"told": told})


@router.get("/openings", response_model=list[OpeningOut])
async def list_openings(
    request: Request,
    who: CallerDep,
    kind: Literal["bus_stop", "one_off"] | None = None,
    days: Annotated[int, Query(ge=1, le=92)] = 14,
) -> Sequence[Opening]:
    return await deps.openings(request, who).coming(days, kind)


@router.delete("/openings/{opening_id}", status_code=204)
async def withdraw_opening(request: Request, who: CallerDep, opening_id: RowId) -> None:
    """Withdraw an opening; one an admin made is withdrawn by an admin."""
    await deps.openings(request, who).withdraw(opening_id)


@router.post("/closures", response_model=ClosureOut, status_code=201)
async def add_closure(request: Request, who: CallerDep, body: ClosureIn) -> Closure:
    """Close a place (admins: or every place); a conseiller closes only a place their
    structure alone serves."""
    return await deps.openings(request, who).close_place(body.model_dump())


@router.get("/closures", response_model=list[ClosureOut])
async def list_closures(request: Request, who: CallerDep) -> Sequence[Closure]:
    return await deps.openings(request, who).closures()


@router.delete("/closures/{closure_id}", status_code=204)
async def reopen(request: Request, who: CallerDep, closure_id: RowId) -> None:
    """Remove a closure: its slots are offered again."""
    await deps.openings(request, who).reopen(closure_id)


@router.get(
    "/places/{place_id}/agenda.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
async def place_agenda(
    request: Request, who: CallerDep, place_id: Annotated[str, Path(max_length=64)]
) -> Response:
    """The place's booked appointments of the next 60 days, as a calendar feed."""
    booked = await deps.agenda(request, who).coming_at(place_id)
    place = request.app.state.services.engine.deployment.places.get(place_id)
    items = [(a.id, f"Relais #{a.id} ({a.service})", a.starts_at, place) for a in booked]
    return Response(calendar_file(items), media_type="text/calendar")
