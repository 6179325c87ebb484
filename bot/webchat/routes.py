"""Web chat HTTP API: sessions, messages in, replies out, later messages by cursor.

The session id is a random bearer-like secret held by the browser; the database only
stores its keyed hash. Replies come back in the response; messages delivered later
(a conseiller's reply, a reminder) are fetched with `GET ...?after=<cursor>`.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from bot.runtime import Inbound, Runtime, UnknownConversation
from bot.webchat.audio import audio_url
from bot.webchat.calendar_links import CalendarLinks
from bot.webchat.errors import PUBLIC_ERRORS
from bot.webchat.text_links import text_parts
from conversations.i18n import DEFAULT_LANGUAGE, N_
from conversations.ics import calendar_file
from conversations.model import Event
from storage.models import Appointment
from storage.types import MAX_ROW_ID

CHANNEL = "web"
CALENDAR_TITLE = N_("Appointment: {place}")
router = APIRouter(prefix="/webchat", tags=["web chat"], responses=PUBLIC_ERRORS)


class ButtonOut(BaseModel):
    label: str
    payload: str


class PartOut(BaseModel):
    text: str
    href: str | None = None


class MessageOut(BaseModel):
    text: str
    # The text cut into parts when some are links (a phone to call, an address to open in
    # a map): the page renders them as links, never as HTML (bot/webchat/text_links.py).
    parts: list[PartOut] = []
    buttons: list[ButtonOut] = []
    urgent: bool = False
    # Link to the booked appointment's calendar file (.ics), when the message confirms one.
    calendar_url: str | None = None
    # The message read aloud (audio/ogg), when its language has a voice: fetch it with the
    # session id in the X-Session header (bot/webchat/audio.py).
    audio: str | None = None


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lang: str | None = Field(default=None, max_length=16)
    # Where the person came from (a poster's QR code); it ends up in CSV exports, so it
    # starts with a letter or a digit, never with a spreadsheet's formula sign.
    source: str | None = Field(
        default=None, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
    )


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


def _json(model: BaseModel, status_code: int = status.HTTP_200_OK) -> Response:
    """The model as the response, serialised once: a returned model would be dumped,
    validated again against `response_model` and dumped again (every turn; issue 14).
    The routes keep `response_model` for the OpenAPI schema."""
    return Response(model.model_dump_json(), status_code, media_type="application/json")


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.services.runtime
    return runtime


def _links(request: Request) -> CalendarLinks:
    links: CalendarLinks = request.app.state.services.calendar_links
    return links


def _messages(request: Request, bodies: list[dict[str, Any]]) -> list[MessageOut]:
    out = []
    for body in bodies:
        message = MessageOut.model_validate(body)
        message.parts = [PartOut(text=p.text, href=p.href) for p in text_parts(message.text)]
        if body.get("appointment_id") is not None:
            message.calendar_url = _links(request).url(int(body["appointment_id"]))
        services = request.app.state.services
        message.audio = audio_url(services.runtime, services.speech, body)
        out.append(message)
    return out


@router.post("/sessions", status_code=status.HTTP_201_CREATED, response_model=SessionOut)
async def create_session(
    request: Request, body: Annotated[SessionIn | None, Body()] = None
) -> Response:
    body = body or SessionIn()
    session_id = secrets.token_urlsafe(24)
    hint = body.lang or request.headers.get("accept-language", "").split(",")[0].strip() or None
    outcome = await _runtime(request).handle(
        Inbound(CHANNEL, session_id, Event.start(lang_hint=hint, source=body.source))
    )
    session = SessionOut(
        session_id=session_id, messages=_messages(request, outcome.replies), cursor=outcome.cursor
    )
    return _json(session, status.HTTP_201_CREATED)


@router.post("/sessions/{session_id}/messages", response_model=RepliesOut)
async def post_message(request: Request, session_id: str, body: MessageIn) -> Response:
    event = Event.message(body.text) if isinstance(body, TextIn) else Event.button(body.payload)
    try:
        outcome = await _runtime(request).handle(
            Inbound(CHANNEL, session_id, event, message_id=body.message_id, create=False)
        )
    except UnknownConversation:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown session") from None
    return _json(RepliesOut(messages=_messages(request, outcome.replies), cursor=outcome.cursor))


@router.get("/sessions/{session_id}/messages", response_model=RepliesOut)
async def get_messages(
    request: Request, session_id: str, after: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0
) -> Response:
    try:
        outcome = await _runtime(request).messages_after(CHANNEL, session_id, after)
    except UnknownConversation:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown session") from None
    return _json(RepliesOut(messages=_messages(request, outcome.replies), cursor=outcome.cursor))


@router.get(
    "/calendar/{token}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
async def appointment_calendar(
    request: Request, token: Annotated[str, Path(max_length=80)]
) -> Response:
    """A booked appointment as a calendar file, through the short-lived link of the
    message that confirmed it (bot/webchat/calendar_links.py)."""
    services = request.app.state.services
    appointment_id = _links(request).appointment_id(token)
    if appointment_id is None or appointment_id > MAX_ROW_ID:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "appointment not found")
    async with services.db.transaction() as session:
        appointment = await session.get(Appointment, appointment_id)
        if appointment is None or appointment.status != "booked":
            raise HTTPException(status.HTTP_404_NOT_FOUND, "appointment not found")
        place = services.engine.deployment.places.get(appointment.place_id)
        lang = appointment.lang or DEFAULT_LANGUAGE
        title = services.engine.catalogs.gettext(lang, CALENDAR_TITLE)
        name = services.engine.catalogs.gettext(lang, place.name) if place else appointment.place_id
        body = calendar_file(
            [(appointment.id, title.format(place=name), appointment.starts_at, place)]
        )
    return Response(body, media_type="text/calendar")
