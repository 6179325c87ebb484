"""Referrals for people to read: one referral in plain French, and the CSV export of the
referrals in scope with the same labels (issue 18).

The other referral routes keep their codes; these only add readable views of them. Each
route parses, calls `api.casework.case_view` and shapes the answer.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api import deps
from api.auth import CallerDep
from api.errors import ERRORS, IsoDateTime, RowId
from api.routes.stats import safe_cell
from storage.referrals import ReferralFilters

router = APIRouter(prefix="/api/v1", tags=["referrals"], responses=ERRORS)


class LabelledFact(BaseModel):
    label: str
    value: str


class LanguageOut(BaseModel):
    name: str
    native: str
    script: str
    direction: str
    reads_french: bool


class ServiceCardOut(BaseModel):
    name: str
    summary: str | None
    phone: str | None
    addresses: list[str]
    hours: list[str]


class LinkedOut(BaseModel):
    id: int
    theme: str
    structure: str
    status: str


class UpdateOut(BaseModel):
    at: str
    facts: list[str]
    urgency_from: str
    urgency_to: str


class ReadableReferral(BaseModel):
    id: int
    theme: str
    urgency: str
    status: str
    reason: str
    structure: str
    queue: str
    also_queues: list[str]
    outcome: str | None
    language: LanguageOut
    facts: list[LabelledFact]
    intake: list[LabelledFact]
    services: list[ServiceCardOut]
    linked: list[LinkedOut]
    history: list[UpdateOut]


@router.get("/referrals/{referral_id}/readable", response_model=ReadableReferral)
async def read_readable(request: Request, who: CallerDep, referral_id: RowId) -> dict[str, Any]:
    """The referral in plain French: labels, names and cards instead of codes."""
    return await deps.case_view(request, who).readable(referral_id)


@router.get(
    "/exports/referrals",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_referrals(
    request: Request,
    who: CallerDep,
    status_: Annotated[
        Literal["new", "claimed", "in_progress", "closed"] | None, Query(alias="status")
    ] = None,
    theme: Annotated[str | None, Query(max_length=32)] = None,
    urgency: Annotated[Literal["normal", "same_day", "urgent"] | None, Query()] = None,
    created_from: IsoDateTime | None = None,
    created_to: IsoDateTime | None = None,
    lang: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    """The referrals in scope as CSV, with French labels and names (no codes)."""
    service = deps.case_view(request, who)
    filters = ReferralFilters(
        status=status_,
        theme=theme,
        urgency=urgency,
        created_from=created_from,
        created_to=created_to,
        lang=lang,
    )
    rows = await service.export_rows(filters)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in service.headers()])
    writer.writerows([[safe_cell(cell) for cell in row] for row in rows])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="referrals.csv"'},
    )
