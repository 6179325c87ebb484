"""A bot message read aloud: `GET /webchat/audio/{id}` with the session in `X-Session`.

Each bot message of the web chat API carries `"audio": "/webchat/audio/<id>"` when its
language has a voice. The id is a keyed hash of the message's text (the deployment's
secret key): the URL holds neither the session id nor the text, and the same message
has the same URL in a turn's answer and in `GET .../messages`. The page fetches it with
the session id in the `X-Session` header (never in a URL) and plays the answer from a
blob. The server finds the message among the session's own latest messages and makes
the audio from its text then (bot/speech): a message of another session, an unknown
session or no header all answer 404.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Header, HTTPException, Path, Request, Response, status
from sqlalchemy import select

from bot.runtime import Runtime
from bot.speech import Speech
from bot.speech.engine import SpeechError
from bot.speech.text import labels_of
from bot.webchat.errors import PUBLIC_ERRORS
from storage.models import Conversation, OutboxMessage

CHANNEL: Final = "web"
SESSION_HEADER: Final = "X-Session"
# How far back a session's messages can still be listened to.
LATEST: Final = 200
router = APIRouter(prefix="/webchat", tags=["web chat"], responses=PUBLIC_ERRORS)


def audio_id(runtime: Runtime, text: str) -> str:
    return runtime.pseudonyms.person_key("web-audio", text)[:32]


def audio_url(runtime: Runtime, speech: Speech | None, body: dict[str, Any]) -> str | None:
    """The message's audio link, when its language has a voice."""
    text = body.get("text")
    if speech is None or not text or not speech.speaks(body.get("lang")):
        return None
    return f"/webchat/audio/{audio_id(runtime, str(text))}"


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "no such message in this session")


@router.get(
    "/audio/{message}",
    response_class=Response,
    responses={200: {"content": {"audio/ogg": {}}, "description": "Opus in Ogg"}},
)
async def message_audio(
    request: Request,
    message: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")],
    session_id: Annotated[str | None, Header(alias=SESSION_HEADER, max_length=128)] = None,
) -> Response:
    """The message read aloud (audio/ogg), for the session it was sent to only."""
    services = request.app.state.services
    runtime: Runtime = services.runtime
    speech: Speech | None = services.speech
    if speech is None or not session_id:
        raise _not_found()
    key = runtime.person_key(CHANNEL, session_id)
    async with runtime.db.transaction() as session:
        found = await session.execute(
            select(Conversation.id, Conversation.lang).where(Conversation.person_key == key)
        )
        conversation = found.first()
        if conversation is None:
            raise _not_found()
        bodies = await session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.conversation_id == conversation.id)
            .order_by(OutboxMessage.id.desc())
            .limit(LATEST)
        )
        body = next(
            (
                b
                for b in bodies
                if isinstance(b.get("text"), str) and audio_id(runtime, b["text"]) == message
            ),
            None,
        )
    if body is None:
        raise _not_found()
    labels = labels_of(body.get("buttons") or [])
    try:
        audio = await speech.audio(body["text"], body.get("lang") or conversation.lang, labels)
    except SpeechError:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "speech unavailable") from None
    if audio is None:
        raise _not_found()
    return Response(audio, media_type="audio/ogg", headers={"Cache-Control": "no-store"})
