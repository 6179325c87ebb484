"""Queues (teams) of a structure, their members and load, and the inbox's live feed.

Admins add and delete queues, put conseillers in them and set how many open referrals the
round robin may give each (`max_open`); a conseiller reads their structure's queues. The
directory's roles are queues too (referrals are routed to them); they are changed in the
directory. `GET /inbox/changes` is what the inbox polls every few seconds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from api.auth import CallerDep
from api.casework.accounts import MemberLoad, QueueService, QueueView
from api.casework.caller import Caller
from api.casework.live import LiveService
from api.errors import ERRORS, RowId
from api.staff_text import RequiredLine

router = APIRouter(prefix="/api/v1", tags=["queues"], responses=ERRORS)
QUEUE_ID = r"^[a-z0-9][a-z0-9-]{0,63}$"
QueueId = Annotated[str, Path(pattern=QUEUE_ID)]


def _queues(request: Request, who: Caller) -> QueueService:
    parts = request.app.state.services
    return QueueService(parts.db, who, parts.engine.deployment)


class QueueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, Field(pattern=QUEUE_ID)]
    structure: Annotated[str, Field(min_length=1, max_length=64)]
    name: Annotated[RequiredLine, Field(min_length=1, max_length=120)]


class QueueOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    structure: str
    name: str
    from_directory: bool


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str | None
    on_duty: bool
    max_open: int | None
    open_referrals: int


class LoadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_open: Annotated[int | None, Field(ge=0, le=1000)]


class ChangedReferral(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    urgency: str
    status: str
    structure: str | None
    role: str | None
    assigned_to: int | None
    created_at: datetime


class ChangesOut(BaseModel):
    latest: int
    urgent_waiting: int
    referrals: list[ChangedReferral]


@router.get("/queues", response_model=list[QueueOut])
async def list_queues(request: Request, who: CallerDep) -> list[QueueView]:
    return await _queues(request, who).all()


@router.post("/queues", response_model=QueueOut, status_code=201)
async def create_queue(request: Request, who: CallerDep, body: QueueIn) -> QueueOut:
    queue = await _queues(request, who).create(body.id, body.structure, body.name)
    return QueueOut(id=queue.id, structure=queue.structure, name=queue.name, from_directory=False)


@router.delete("/queues/{queue_id}", status_code=204)
async def delete_queue(request: Request, who: CallerDep, queue_id: QueueId) -> None:
    await _queues(request, who).delete(queue_id)


@router.get("/queues/{queue_id}/members", response_model=list[MemberOut])
async def members(request: Request, who: CallerDep, queue_id: QueueId) -> list[MemberLoad]:
    return await _queues(request, who).members(queue_id)


@router.put("/queues/{queue_id}/members/{token_id}", status_code=204)
async def join(request: Request, who: CallerDep, queue_id: QueueId, token_id: RowId) -> None:
    await _queues(request, who).join(queue_id, token_id)


@router.delete("/queues/{queue_id}/members/{token_id}", status_code=204)
async def leave(request: Request, who: CallerDep, queue_id: QueueId, token_id: RowId) -> None:
    await _queues(request, who).leave(queue_id, token_id)


@router.put("/tokens/{token_id}/load", status_code=204)
async def set_load(request: Request, who: CallerDep, token_id: RowId, body: LoadIn) -> None:
    """How many open referrals the round robin may give this conseiller (null: no cap)."""
    await _queues(request, who).set_load(token_id, body.max_open)


@router.get("/inbox/changes", response_model=ChangesOut)
async def changes(
    request: Request,
    who: CallerDep,
    since: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    my_queues: bool = False,
) -> ChangesOut:
    """The referrals in scope created after id `since`, and the urgent ones still new."""
    found = await LiveService(request.app.state.services.db, who).since(since, my_queues)
    return ChangesOut(
        latest=found.latest,
        urgent_waiting=found.urgent_waiting,
        referrals=[ChangedReferral.model_validate(r) for r in found.referrals],
    )
