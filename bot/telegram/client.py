"""The small contract each Telegram library adapter implements, and the errors it maps to.

Relais code never catches a library's own exception: an adapter turns the Bot API's
answers into these few outcomes, which the dispatcher knows how to treat (wait, give up,
mark the person unreachable, back off while Telegram is unreachable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Protocol

TELEGRAM_API: Final = "https://api.telegram.org"
ALLOWED_UPDATES: Final = ("message", "callback_query")

# One row of an inline keyboard: (label, callback data) pairs.
Keyboard = list[list[tuple[str, str]]]


class TelegramError(Exception):
    """A Bot API call failed in a way not covered by the subclasses (counted as an attempt)."""


class RetryAfter(TelegramError):
    """429 Too Many Requests: wait `seconds`, then send the same message again."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"flood control: retry after {seconds} s")
        self.seconds = seconds


class Blocked(TelegramError):
    """403 Forbidden: the person blocked the bot (or deleted the chat)."""


class Rejected(TelegramError):
    """400 Bad Request: sending the same request again can never succeed."""


class Unreachable(TelegramError):
    """Telegram could not be reached (network error, timeout, 5xx): nothing was decided."""


@dataclass(frozen=True)
class Command:
    command: str
    description: str


class BotClient(Protocol):
    """What Relais needs from a Telegram library: a handful of Bot API calls."""

    library: str

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    def parse_update(self, data: dict[str, Any]) -> dict[str, Any]:
        """Validate a raw update with the library's types; return it as Bot API JSON."""
        ...

    async def get_updates(self, offset: int | None, wait_seconds: int) -> list[dict[str, Any]]: ...

    async def send_message(self, chat_id: int, text: str, keyboard: Keyboard | None) -> None: ...

    async def send_voice(self, chat_id: int, audio: bytes) -> None:
        """A voice note: `audio` is Opus in Ogg (what Telegram plays as a voice message)."""
        ...

    async def answer_callback_query(self, callback_query_id: str) -> None: ...

    async def set_my_commands(self, commands: list[Command], language_code: str | None) -> None: ...

    async def set_webhook(self, url: str, secret_token: str) -> None: ...

    async def delete_webhook(self) -> None: ...
