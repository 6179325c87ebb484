"""Core replies → Telegram messages: plain text (no parse_mode, so nothing to escape),
split under Telegram's 4,096-character limit at paragraph boundaries, with the buttons as
an inline keyboard on the last part. Callback data is the button's stable payload.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from bot.telegram.client import Keyboard

MAX_TEXT: Final = 4096  # counted by Telegram in UTF-16 code units
MAX_CALLBACK_DATA: Final = 64  # bytes
NAV_PREFIX: Final = "nav."


@dataclass(frozen=True)
class OutgoingMessage:
    text: str
    keyboard: Keyboard | None = None


def _size(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _hard_cut(text: str, limit: int) -> list[str]:
    parts, current, size = [], "", 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current, size = current + char, size + width
    return [*parts, current] if current else parts


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at blank lines, else at line ends, else anywhere; every part fits `limit`."""
    if _size(text) <= limit:
        return [text]
    for separator in ("\n\n", "\n"):
        if separator in text:
            parts: list[str] = []
            current = ""
            for piece in text.split(separator):
                candidate = f"{current}{separator}{piece}" if current else piece
                if _size(candidate) <= limit:
                    current = candidate
                    continue
                if current:
                    parts.append(current)
                current = piece
            parts.append(current)
            return [chunk for part in parts for chunk in split_text(part, limit) if chunk]
    return _hard_cut(text, limit)


def keyboard(buttons: list[dict[str, Any]]) -> Keyboard | None:
    """One choice per row (labels stay readable); navigation buttons two by two."""
    rows: Keyboard = []
    nav: list[tuple[str, str]] = []
    for button in buttons:
        payload = str(button["payload"])
        if len(payload.encode()) > MAX_CALLBACK_DATA:
            raise ValueError(f"callback data over {MAX_CALLBACK_DATA} bytes: {payload!r}")
        if payload.startswith(NAV_PREFIX):
            nav.append((str(button["label"]), payload))
        else:
            rows.append([(str(button["label"]), payload)])
    rows += [nav[i : i + 2] for i in range(0, len(nav), 2)]
    return rows or None


def render(body: dict[str, Any]) -> list[OutgoingMessage]:
    """One outbox body (`{"text", "buttons", "urgent"}`) → the messages to send, in order."""
    parts = split_text(str(body.get("text") or "")) or [""]
    markup = keyboard(list(body.get("buttons") or []))
    if not parts[-1].strip() and markup:
        parts[-1] = "⬇"  # Telegram refuses empty messages; buttons need a text to hang on
    sent = [OutgoingMessage(part) for part in parts[:-1] if part.strip()]
    if parts[-1].strip():
        sent.append(OutgoingMessage(parts[-1], markup))
    return sent
