"""The python-telegram-bot adapter: the `BotClient` contract over `telegram.Bot`.

Only the Bot object is used, never PTB's `Application`/`Updater`: those confirm polled
updates and answer webhooks before handlers run, and Relais must store an update first.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram import error as tg_error
from telegram.request import HTTPXRequest

from bot.telegram.client import (
    ALLOWED_UPDATES,
    Blocked,
    Command,
    Keyboard,
    Rejected,
    RetryAfter,
    TelegramError,
    Unreachable,
)

# Extra seconds granted to a long poll beyond its own timeout before giving up on it.
POLL_GRACE = 10


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _mapped(exc: tg_error.TelegramError) -> TelegramError:
    if isinstance(exc, tg_error.RetryAfter):
        return RetryAfter(_seconds(exc.retry_after))
    if isinstance(exc, tg_error.Forbidden):
        return Blocked(exc.message)
    if isinstance(exc, tg_error.BadRequest):
        return Rejected(exc.message)
    if isinstance(exc, tg_error.NetworkError):  # includes TimedOut and 5xx answers
        return Unreachable(exc.message)
    return TelegramError(f"{type(exc).__name__}: {exc.message}")


class PtbClient:
    library = "ptb"

    def __init__(self, token: str, api_url: str) -> None:
        self._requests = (
            HTTPXRequest(connection_pool_size=16),
            HTTPXRequest(connection_pool_size=1, read_timeout=POLL_GRACE),
        )
        self._bot = Bot(
            token,
            base_url=f"{api_url.rstrip('/')}/bot",
            base_file_url=f"{api_url.rstrip('/')}/file/bot",
            request=self._requests[0],
            get_updates_request=self._requests[1],
        )

    async def _call(self, method: Any, **kwargs: Any) -> Any:
        try:
            return await method(**kwargs)
        except tg_error.TelegramError as exc:
            raise _mapped(exc) from None

    async def open(self) -> None:
        await self._call(self._bot.initialize)

    async def close(self) -> None:
        # Not only `Bot.shutdown()`: it skips the HTTP clients when `open()` never succeeded.
        await self._bot.shutdown()
        for request in self._requests:
            await request.shutdown()

    def parse_update(self, data: dict[str, Any]) -> dict[str, Any]:
        update = Update.de_json(data, self._bot)
        return update.to_dict()

    async def get_updates(self, offset: int | None, wait_seconds: int) -> list[dict[str, Any]]:
        updates = await self._call(
            self._bot.get_updates,
            offset=offset,
            timeout=wait_seconds,
            allowed_updates=list(ALLOWED_UPDATES),
        )
        return [u.to_dict() for u in updates]

    async def send_message(self, chat_id: int, text: str, keyboard: Keyboard | None) -> None:
        markup = None
        if keyboard:
            markup = InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                    for row in keyboard
                ]
            )
        await self._call(self._bot.send_message, chat_id=chat_id, text=text, reply_markup=markup)

    async def send_voice(self, chat_id: int, audio: bytes) -> None:
        voice = InputFile(audio, filename="relais.ogg")
        await self._call(self._bot.send_voice, chat_id=chat_id, voice=voice)

    async def answer_callback_query(self, callback_query_id: str) -> None:
        await self._call(self._bot.answer_callback_query, callback_query_id=callback_query_id)

    async def set_my_commands(self, commands: list[Command], language_code: str | None) -> None:
        await self._call(
            self._bot.set_my_commands,
            commands=[BotCommand(c.command, c.description) for c in commands],
            language_code=language_code,
        )

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await self._call(
            self._bot.set_webhook,
            url=url,
            secret_token=secret_token,
            allowed_updates=list(ALLOWED_UPDATES),
        )

    async def delete_webhook(self) -> None:
        await self._call(self._bot.delete_webhook)
