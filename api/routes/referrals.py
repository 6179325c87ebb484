"""Referrals: list, read, claim, assign, transfer, change of status and outcome.

Each route parses, calls the referral workflow (`api.casework.referrals`) and shapes the
answer. A conseiller only ever sees their structure's referrals: anything else is 404,
not 403. Every read and change by anyone is written to the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api import deps
from api.auth import CallerDep
from api.closing import AidIn, Outcome
from api.errors import ERRORS, MAX_ID, IsoDateTime, RowId
from api.schemas import IntakeOut, ReferralOut
from storage.models import Referral
from storage.referrals import ReferralFilters

router = APIRouter(prefix="/api/v1/referrals", tags=["referrals"], responses=ERRORS)

Status = Literal["new", "claimed", "in_progress", "closed"]


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
    aid: AidIn | None = None


StatusIn = Annotated[ReopenIn | CloseIn, Field(discriminator="status")]


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
    queue: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[Referral]:
    filters = ReferralFilters(
        status=status_,
        theme=theme,
        urgency=urgency,
        structure=structure,
        assigned_to=who.token_id if assigned_to_me else None,
        created_from=created_from,
        created_to=created_to,
        lang=lang,
        role=queue,
    )
    found, total = await deps.referrals(request, who).search(filters, limit, offset)
    response.headers["X-Total-Count"] = str(total)
    return found


@router.get("/{referral_id}", response_model=ReferralDetail)
async def read_referral(request: Request, who: CallerDep, referral_id: RowId) -> dict[str, Any]:
    referral, intake = await deps.referrals(request, who).read(referral_id)
    detail = ReferralOut.model_validate(referral).model_dump()
    detail["intake"] = IntakeOut.model_validate(intake).model_dump() if intake else None
    return detail


@router.post("/{referral_id}/claim", response_model=ReferralOut)
async def claim(request: Request, who: CallerDep, referral_id: RowId) -> Referral:
    return await deps.referrals(request, who).claim(referral_id)


@router.post("/{referral_id}/assign", response_model=ReferralOut)
async def assign(request: Request, who: CallerDep, referral_id: RowId, body: AssignIn) -> Referral:
    return await deps.referrals(request, who).assign(referral_id, body.conseiller_id)


@router.post("/{referral_id}/transfer", response_model=ReferralOut)
async def transfer(
    request: Request, who: CallerDep, referral_id: RowId, body: TransferIn
) -> Referral:
    return await deps.referrals(request, who).transfer(referral_id, body.structure, body.role)


@router.patch("/{referral_id}", response_model=ReferralOut)
async def change_status(
    request: Request, who: CallerDep, referral_id: RowId, body: StatusIn
) -> Referral:
    service = deps.referrals(request, who)
    if isinstance(body, CloseIn):
        aid = body.aid.aid() if body.aid else None
        return await service.close(referral_id, body.outcome, aid)
    return await service.change_status(referral_id, body.status)
