"""Notes on a referral, and messages with the young person through their channel.

Each route parses, calls `api.casework.notes` and shapes the answer. A reply goes to the
person's outbox, in their language for a quick reply, under a header naming the writer
for free text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from api import deps
from api.auth import CallerDep
from api.errors import ERRORS, RowId
from api.staff_text import RequiredText
from storage.models import ReferralMessage, ReferralNote

router = APIRouter(prefix="/api/v1/referrals", tags=["referrals"], responses=ERRORS)
# A fixed template (api/reply_templates.py) or one an admin wrote.
TemplateId = Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,64}$")]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Annotated[RequiredText, Field(min_length=1, max_length=5000)]


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    author_id: int | None
    body: str
    created_at: datetime


class TemplateReply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template: TemplateId


class TextReply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[RequiredText, Field(min_length=1, max_length=3000)]


ReplyIn = TemplateReply | TextReply


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    direction: str
    author_id: int | None
    template: str | None
    body: str
    created_at: datetime


@router.post("/{referral_id}/notes", response_model=NoteOut, status_code=201)
async def add_note(
    request: Request, who: CallerDep, referral_id: RowId, body: NoteIn
) -> ReferralNote:
    return await deps.notes(request, who).add_note(referral_id, body.body)


@router.get("/{referral_id}/notes", response_model=list[NoteOut])
async def list_notes(request: Request, who: CallerDep, referral_id: RowId) -> list[ReferralNote]:
    return await deps.notes(request, who).notes(referral_id)


@router.post("/{referral_id}/replies", response_model=MessageOut, status_code=201)
async def reply(
    request: Request, who: CallerDep, referral_id: RowId, body: ReplyIn
) -> ReferralMessage:
    service = deps.notes(request, who)
    if isinstance(body, TemplateReply):
        return await service.reply(referral_id, template=body.template)
    return await service.reply(referral_id, text=body.text)


@router.get("/{referral_id}/messages", response_model=list[MessageOut])
async def list_messages(
    request: Request, who: CallerDep, referral_id: RowId
) -> list[ReferralMessage]:
    return await deps.notes(request, who).messages(referral_id)
