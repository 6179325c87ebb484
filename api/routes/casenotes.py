"""Notes on a referral, and messages with the young person through their channel.

A reply is written to the person's outbox in the same transaction as its record on the
referral; their channel delivers it. Quick replies are translated into the person's
language; free text goes as written, under a translated header naming the writer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from api.auth import CallerDep, database
from api.errors import ERRORS, RowId
from api.reply_templates import HEADER, REPLY_LABEL, TEMPLATES
from api.routes.referrals import visible_referral
from storage import OutboxRepository, casework
from storage.models import ApiToken, Conversation, ReferralMessage, ReferralNote
from storage.types import utcnow

router = APIRouter(prefix="/api/v1/referrals", tags=["referrals"], responses=ERRORS)
TemplateId = Literal["appointment_confirmed", "bring_papers", "call_us", "we_tried"]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Annotated[str, Field(min_length=1, max_length=5000)]


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
    text: Annotated[str, Field(min_length=1, max_length=3000)]


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
    async with database(request).transaction() as session:
        referral = await visible_referral(session, who, referral_id)
        note = ReferralNote(referral_id=referral.id, author_id=who.token_id, body=body.body)
        session.add(note)
        await session.flush()
        await casework.audit(session, who.token_id, "note", "referral", referral.id)
        return note


@router.get("/{referral_id}/notes", response_model=list[NoteOut])
async def list_notes(request: Request, who: CallerDep, referral_id: RowId) -> list[ReferralNote]:
    async with database(request).transaction() as session:
        referral = await visible_referral(session, who, referral_id)
        stmt = select(ReferralNote).where(ReferralNote.referral_id == referral.id)
        await casework.audit(session, who.token_id, "read_notes", "referral", referral.id)
        return list((await session.scalars(stmt.order_by(ReferralNote.id))).all())


@router.post("/{referral_id}/replies", response_model=MessageOut, status_code=201)
async def reply(
    request: Request, who: CallerDep, referral_id: RowId, body: ReplyIn
) -> ReferralMessage:
    services = request.app.state.services
    catalogs = services.engine.catalogs
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
        if isinstance(body, TemplateReply):
            organisation = services.engine.deployment.organisations.get(referral.structure or "")
            phone = organisation.phone if organisation and organisation.phone else ""
            text = catalogs.gettext(lang, TEMPLATES[body.template]).format(
                phone=f"\u2068{phone}\u2069"
            )
        else:
            author = await session.get(ApiToken, who.token_id)
            writer = (author.name if author and author.name else "Mission Locale")[:60]
            header = catalogs.gettext(lang, HEADER).format(name=writer)
            text = f"{header}\n{body.text}"
        button = {
            "label": catalogs.gettext(lang, REPLY_LABEL),
            "payload": f"nav.reply.{referral.id}",
        }
        await OutboxRepository(session).add(
            conversation.id,
            conversation.channel,
            {"text": text, "buttons": [button], "urgent": False},
        )
        message = ReferralMessage(
            referral_id=referral.id,
            direction="to_person",
            author_id=who.token_id,
            template=body.template if isinstance(body, TemplateReply) else None,
            body=body.template if isinstance(body, TemplateReply) else body.text,
        )
        session.add(message)
        await session.flush()
        await casework.touch_first_contact(session, referral.id, utcnow())
        if referral.status == "new":
            referral.status, referral.assigned_to, referral.claimed_at = (
                "claimed",
                who.token_id,
                utcnow(),
            )
        await casework.audit(session, who.token_id, "reply", "referral", referral.id)
        return message


@router.get("/{referral_id}/messages", response_model=list[MessageOut])
async def list_messages(
    request: Request, who: CallerDep, referral_id: RowId
) -> list[ReferralMessage]:
    async with database(request).transaction() as session:
        referral = await visible_referral(session, who, referral_id)
        stmt = select(ReferralMessage).where(ReferralMessage.referral_id == referral.id)
        await casework.audit(session, who.token_id, "read_messages", "referral", referral.id)
        return list((await session.scalars(stmt.order_by(ReferralMessage.id))).all())
