"""Telegram update JSON → what Relais needs from it: who, where, which core event.

Shared by both adapters (they hand over Bot API JSON validated by their library). Only
private chats are served: a conversation about housing or an emergency does not belong
in a group. `/start <payload>` deep links carry the source (a QR code at a bus stop).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from conversations.model import Event

# Telegram allows A-Z, a-z, 0-9, _ and - in deep-link payloads, up to 64 characters.
# A source starts with a letter or a digit: it ends up in CSV exports (no formula sign).
DEEP_LINK: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$")
# Messages that are sound: a voice note, an audio file, a round video message.
SPOKEN: Final = ("voice", "audio", "video_note")


@dataclass(frozen=True)
class TelegramUpdate:
    update_id: int
    user_id: int
    chat_id: int
    event: Event
    callback_query_id: str | None = None


def _command(text: str) -> tuple[str, str] | None:
    """('/start', 'bus-jaude') for '/start@RelaisBot bus-jaude'; None if not a command."""
    if not text.startswith("/"):
        return None
    head, _, rest = text.partition(" ")
    return head.split("@", 1)[0].lower(), rest.strip()


def _message_event(message: dict[str, Any], language: str | None) -> Event:
    text = message.get("text") or message.get("caption") or ""
    if not text and any(kind in message for kind in SPOKEN):
        # Relais cannot listen yet: the engine answers kindly (conversations/voice.py).
        # Only the kind of message is used: the audio is never fetched nor kept.
        return Event.button(f"nav.voice.heard.{language}" if language else "nav.voice.heard")
    command = _command(text)
    if command is not None and command[0] == "/start":
        source = command[1] if DEEP_LINK.match(command[1]) else None
        return Event.start(lang_hint=language, source=source)
    if command is not None:
        # /menu, /human, /language... reach the engine as typed text, without "@BotName".
        return Event.message(" ".join(filter(None, command)))
    return Event.message(text)


def parse(update: dict[str, Any]) -> TelegramUpdate | None:
    """The update as a core event, or None when Relais has nothing to do with it."""
    update_id = int(update["update_id"])
    if (message := update.get("message")) is not None:
        sender, chat = message.get("from"), message.get("chat") or {}
        if not sender or sender.get("is_bot") or chat.get("type") != "private":
            return None
        event = _message_event(message, sender.get("language_code"))
        return TelegramUpdate(update_id, int(sender["id"]), int(chat["id"]), event)
    if (query := update.get("callback_query")) is not None:
        sender = query["from"]
        chat = (query.get("message") or {}).get("chat") or {"id": sender["id"], "type": "private"}
        if chat.get("type") != "private":
            return None
        event = Event.button(query.get("data") or "")
        return TelegramUpdate(
            update_id, int(sender["id"]), int(chat["id"]), event, str(query["id"])
        )
    return None
