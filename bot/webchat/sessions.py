"""Web chat session housekeeping for the chat page: its language, and ending it.

`GET /webchat/sessions/{id}` tells the page the conversation's language and text
direction (for `lang` and `dir`); `POST /webchat/sessions/{id}/end` retires the session
id (the kiosk's "finish" button). Imports the runtime and storage, never the engine.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel
from sqlalchemy import select

from bot.runtime import Runtime
from bot.webchat.errors import PUBLIC_ERRORS
from bot.webchat.routes import CHANNEL
from conversations.i18n import DEFAULT_LANGUAGE
from storage import ConversationRepository
from storage.models import Conversation

router = APIRouter(prefix="/webchat", tags=["web chat"], responses=PUBLIC_ERRORS)


class SessionInfoOut(BaseModel):
    lang: str
    direction: str


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.services.runtime
    return runtime


@router.get("/sessions/{session_id}", response_model=SessionInfoOut)
async def session_info(request: Request, session_id: str) -> SessionInfoOut:
    """The conversation's language and direction (they change when the person picks one)."""
    runtime = _runtime(request)
    key = runtime.person_key(CHANNEL, session_id)
    async with runtime.db.transaction() as session:
        found = await session.execute(
            select(Conversation.lang).where(Conversation.person_key == key)
        )
        row = found.first()
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown session")
    lang = row.lang or DEFAULT_LANGUAGE
    return SessionInfoOut(lang=lang, direction=runtime.engine.catalogs.direction(lang))


@router.post("/sessions/{session_id}/end", status_code=status.HTTP_204_NO_CONTENT)
async def end_session(request: Request, session_id: str) -> None:
    """Retire the session id. The conversation, its intake and referrals stay for the
    conseillers (and the retention clock), but this id, left behind on a shared tablet,
    can never reach them again: every later call with it answers 404."""
    runtime = _runtime(request)
    key = runtime.person_key(CHANNEL, session_id)
    retired = runtime.person_key(CHANNEL, f"ended:{secrets.token_urlsafe(32)}")
    async with runtime.db.transaction() as session:
        conversation = await ConversationRepository(session).get_for_update(key)
        if conversation is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown session")
        conversation.person_key = retired
        # A turn read without the lock (storage/plain_turns.py) must not write it again.
        conversation.version += 1
    if runtime.db.plain_turns is not None:
        runtime.db.plain_turns.forget(key)
