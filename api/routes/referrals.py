"""Referrals workflow: list, read, claim, assign, transfer, status and outcome.

A conseiller only ever sees their structure's referrals: anything else is 404, not
403. Every read and change by anyone is written to the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth import Caller, CallerDep, database
from api.errors import ERRORS, MAX_ID, IsoDateTime, RowId
from api.schemas import IntakeOut, ReferralOut
from storage import casework
from storage.models import ApiToken, Intake, Referral
from storage.types import utcnow

router = APIRouter(prefix="/api/v1/referrals", tags=["referrals"], responses=ERRORS)

Status = Literal["new", "claimed", "in_progress", "closed"]
Outcome = Literal[
    "oriented",
    "housed",
    "cej_signed",
    "aid_granted",
    "training",
    "employment",
    "no_answer",
    "declined",
    "other",
]
TRANSITIONS: dict[str, set[str]] = {
    "new": {"claimed", "in_progress", "closed"},
    "claimed": {"in_progress", "closed"},
    "in_progress": {"closed"},
    "closed": {"in_progress"},
}


class ReferralDetail(ReferralOut):
    intake: IntakeOut | None


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conseiller_id: int = Field(ge=1, le=MAX_ID)


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    structure: str = Field(min_length=1, max_length=64)
    role: str | None = Field(default=None, max_length=64)


class ReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["claimed", "in_progress"]


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["closed"]
    outcome: Outcome


StatusIn = Annotated[ReopenIn | CloseIn, Field(discriminator="status")]


async def visible_referral(session: AsyncSession, who: Caller, referral_id: RowId) -> Referral:
    """The referral if this caller may see it; 404 otherwise (even if it exists)."""
    referral = await session.get(Referral, referral_id, with_for_update=True)
    if referral is None or (who.role != "admin" and referral.structure != who.structure):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "referral not found")
    return referral


def _scoped(stmt: Any, who: Caller) -> Any:
    return stmt if who.role == "admin" else stmt.where(Referral.structure == who.structure)


@router.get("", response_model=list[ReferralOut])
async def list_referrals(
    request: Request,
    response: Response,
    who: CallerDep,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    theme: Annotated[str | None, Query(max_length=32)] = None,
    urgency: Annotated[Literal["normal", "same_day", "urgent"] | None, Query()] = None,
    structure: Annotated[str | None, Query(max_length=64)] = None,
    assigned_to_me: bool = False,
    created_from: IsoDateTime | None = None,
    created_to: IsoDateTime | None = None,
    lang: Annotated[str | None, Query(max_length=8)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[Referral]:
    filters = []
    if status_:
        filters.append(Referral.status == status_)
    if theme:
        filters.append(Referral.theme == theme)
    if urgency:
        filters.append(Referral.urgency == urgency)
    if structure:
        filters.append(Referral.structure == structure)
    if assigned_to_me:
        filters.append(Referral.assigned_to == who.token_id)
    if created_from:
        filters.append(Referral.created_at >= created_from)
    if created_to:
        filters.append(Referral.created_at < created_to)
    if lang:
        filters.append(Referral.lang == lang)
    urgent_first = (Referral.urgency != "urgent", Referral.status != "new", Referral.id.desc())
    stmt = _scoped(select(Referral).where(*filters), who)
    async with database(request).transaction() as session:
        total = await session.scalar(
            _scoped(select(func.count()).select_from(Referral).where(*filters), who)
        )
        rows = (
            await session.scalars(stmt.order_by(*urgent_first).limit(limit).offset(offset))
        ).all()
        await casework.audit(session, who.token_id, "list", "referral", None, count=len(rows))
    response.headers["X-Total-Count"] = str(total or 0)
    return list(rows)


@router.get("/{referral_id}", response_model=ReferralDetail)
async def read_referral(request: Request, who: CallerDep, referral_id: RowId) -> dict[str, Any]:
    async with database(request).transaction() as session:
        referral = await visible_referral(session, who, referral_id)
        intake = await session.get(Intake, referral.intake_id) if referral.intake_id else None
        await casework.audit(session, who.token_id, "read", "referral", referral.id)
        detail = ReferralOut.model_validate(referral).model_dump()
        detail["intake"] = IntakeOut.model_validate(intake).model_dump() if intake else None
        return detail


@router.post("/{referral_id}/claim", response_model=ReferralOut)
async def claim(request: Request, who: CallerDep, referral_id: RowId) -> Referral:
    async with database(request).transaction() as session:
        referral = await visible_referral(session, who, referral_id)
        if referral.status != "new":
            raise HTTPException(status.HTTP_409_CONFLICT, f"referral is {referral.status}")
        referral.status, referral.assigned_to = "claimed", who.token_id
        referral.claimed_at = utcnow()
        await casework.audit(session, who.token_id, "claim", "referral", referral.id)
        return referral


@router.post("/{referral_id}/assign", response_model=ReferralOut)
async def assign(request: Request, who: CallerDep, referral_id: RowId, body: AssignIn) -> Referral:
    async with database(request).transaction() as session:
        referral = await visible_referral(session, who, referral_id)
        target = await session.get(ApiToken, body.conseiller_id)
        if (
            target is None
            or target.revoked_at is not None
            or target.role != "conseiller"
            or target.structure != referral.structure
        ):
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                "no active conseiller with this id in the referral's structure",
            )
        if referral.status == "closed":
            raise HTTPException(status.HTTP_409_CONFLICT, "referral is closed")
        referral.assigned_to = target.id
        if referral.status == "new":
            referral.status, referral.claimed_at = "claimed", utcnow()
        await casework.audit(session, who.token_id, "assign", "referral", referral.id, to=target.id)
        return referral


@router.post("/{referral_id}/transfer", response_model=ReferralOut)
async def transfer(
    request: Request, who: CallerDep, referral_id: RowId, body: TransferIn
) -> Referral:
    deployment = request.app.state.services.engine.deployment
    if body.structure not in deployment.organisations:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "structure not found")
    if body.role is not None and deployment.roles.get(body.role) != body.structure:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "role not found in that structure")
    async with database(request).transaction() as session:
        referral = await visible_referral(session, who, referral_id)
        if referral.status == "closed":
            raise HTTPException(status.HTTP_409_CONFLICT, "referral is closed")
        before = referral.structure
        referral.structure, referral.role = body.structure, body.role
        referral.status, referral.assigned_to, referral.claimed_at = "new", None, None
        await casework.audit(
            session,
            who.token_id,
            "transfer",
            "referral",
            referral.id,
            frm=before,
            to=body.structure,
        )
        return referral


@router.patch("/{referral_id}", response_model=ReferralOut)
async def change_status(
    request: Request, who: CallerDep, referral_id: RowId, body: StatusIn
) -> Referral:
    async with database(request).transaction() as session:
        referral = await visible_referral(session, who, referral_id)
        if body.status not in TRANSITIONS[referral.status]:
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"cannot go from {referral.status} to {body.status}"
            )
        referral.status = body.status
        if isinstance(body, CloseIn):
            referral.outcome, referral.closed_at = body.outcome, utcnow()
        else:
            referral.outcome, referral.closed_at = None, None
        if referral.assigned_to is None:
            referral.assigned_to = who.token_id if who.role == "conseiller" else None
        await casework.audit(
            session, who.token_id, "status", "referral", referral.id, to=body.status
        )
        return referral
