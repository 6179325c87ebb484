"""The 🔊 setting on Telegram: a reply marked `speak` also goes out as a voice note.

The voice note (Opus in Ogg, sendVoice) comes first, then the text with its buttons, so
the buttons stay at the bottom of the chat. The audio is made from the reply's text and
labels when it is sent (bot/speech), never stored with the message; a language without a
voice, or the speech tools failing, leaves the text alone.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.speech import Speech
from bot.speech.engine import SpeechError
from bot.speech.text import labels_of

log = logging.getLogger(__name__)


async def voice_note(speech: Speech | None, body: dict[str, Any]) -> bytes | None:
    """The reply read aloud, when the person asked for voice messages; else None."""
    if speech is None or not body.get("speak"):
        return None
    labels = labels_of(body.get("buttons") or [])
    try:
        return await speech.audio(str(body.get("text") or ""), body.get("lang"), labels)
    except SpeechError as exc:
        log.warning("telegram: no voice note for this reply: %s", exc)
        return None
