"""Web chat HTTP API: sessions, messages in, replies out, later messages by cursor.

The session id is a random bearer-like secret held by the browser; the database only
stores its keyed hash. Replies come back in the response; messages delivered later
(a conseiller's reply, a reminder) are fetched with `GET ...?after=<cursor>`.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from api.errors import MAX_ID, PUBLIC_ERRORS
from bot.runtime import Inbound, Runtime, UnknownConversation
from conversations.model import Event

CHANNEL = "web"
router = APIRouter(prefix="/webchat", tags=["web chat"], responses=PUBLIC_ERRORS)


class ButtonOut(BaseModel):
    label: str
    payload: str


class MessageOut(BaseModel):
    text: str
    buttons: list[ButtonOut] = []
    urgent: bool = False


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lang: str | None = Field(default=None, max_length=16)
    source: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")


class SessionOut(BaseModel):
    session_id: str
    messages: list[MessageOut]
    cursor: int


class TextIn(BaseModel):
    """Something the person typed."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=4000)
    message_id: str | None = Field(default=None, max_length=64)


class ButtonIn(BaseModel):
    """A button the person tapped (its payload, never its label)."""

    model_config = ConfigDict(extra="forbid")
    payload: str = Field(max_length=128)
    message_id: str | None = Field(default=None, max_length=64)


MessageIn = TextIn | ButtonIn


class RepliesOut(BaseModel):
    messages: list[MessageOut]
    cursor: int


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.services.runtime
    return runtime


def _messages(bodies: list[dict[str, Any]]) -> list[MessageOut]:
    return [MessageOut.model_validate(b) for b in bodies]


@router.post("/sessions", status_code=status.HTTP_201_CREATED, response_model=SessionOut)
async def create_session(
    request: Request, body: Annotated[SessionIn | None, Body()] = None
) -> SessionOut:
    body = body or SessionIn()
    session_id = secrets.token_urlsafe(24)
    hint = body.lang or request.headers.get("accept-language", "").split(",")[0].strip() or None
    outcome = await _runtime(request).handle(
        Inbound(CHANNEL, session_id, Event.start(lang_hint=hint, source=body.source))
    )
    return SessionOut(
        session_id=session_id, messages=_messages(outcome.replies), cursor=outcome.cursor
    )


@router.post("/sessions/{session_id}/messages", response_model=RepliesOut)
async def post_message(request: Request, session_id: str, body: MessageIn) -> RepliesOut:
    event = Event.message(body.text) if isinstance(body, TextIn) else Event.button(body.payload)
    try:
        outcome = await _runtime(request).handle(
            Inbound(CHANNEL, session_id, event, message_id=body.message_id, create=False)
        )
    except UnknownConversation:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown session") from None
    return RepliesOut(messages=_messages(outcome.replies), cursor=outcome.cursor)


@router.get("/sessions/{session_id}/messages", response_model=RepliesOut)
async def get_messages(
    request: Request, session_id: str, after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0
) -> RepliesOut:
    try:
        outcome = await _runtime(request).messages_after(CHANNEL, session_id, after)
    except UnknownConversation:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown session") from None
    return RepliesOut(messages=_messages(outcome.replies), cursor=outcome.cursor)
