"""The aiogram adapter: the `BotClient` contract over `aiogram.Bot`.

Only the Bot object is used, never aiogram's `Dispatcher` polling or its webhook request
handler: those confirm updates before handlers have stored them.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from aiogram import Bot
from aiogram import exceptions as ag_error
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)

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
T = TypeVar("T")


def _mapped(exc: ag_error.TelegramAPIError) -> TelegramError:
    if isinstance(exc, ag_error.TelegramRetryAfter):
        return RetryAfter(float(exc.retry_after))
    if isinstance(exc, ag_error.TelegramForbiddenError):
        return Blocked(exc.message)
    if isinstance(exc, ag_error.TelegramBadRequest | ag_error.TelegramEntityTooLarge):
        return Rejected(exc.message)
    if isinstance(exc, ag_error.TelegramNetworkError | ag_error.TelegramServerError):
        return Unreachable(exc.message)
    return TelegramError(f"{type(exc).__name__}: {exc.message}")


async def _call(call: Awaitable[T]) -> T:
    try:
        return await call
    except ag_error.TelegramAPIError as exc:
        raise _mapped(exc) from None
    except ag_error.ClientDecodeError:
        # Not a Bot API answer at all (e.g. a proxy's error page): treat as an outage.
        raise Unreachable("undecodable answer from the Bot API") from None


class AiogramClient:
    library = "aiogram"

    def __init__(self, token: str, api_url: str) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")))
        self._bot = Bot(token, session=session)

    async def open(self) -> None:
        await _call(self._bot.get_me())

    async def close(self) -> None:
        # Not `Bot.close()`: that is the Bot API's "close" method, not the HTTP session.
        await self._bot.session.close()

    def parse_update(self, data: dict[str, Any]) -> dict[str, Any]:
        update = Update.model_validate(data, context={"bot": self._bot})
        return update.model_dump(mode="json", exclude_none=True, by_alias=True)

    async def get_updates(self, offset: int | None, wait_seconds: int) -> list[dict[str, Any]]:
        updates = await _call(
            self._bot.get_updates(
                offset=offset,
                timeout=wait_seconds,
                allowed_updates=list(ALLOWED_UPDATES),
                request_timeout=wait_seconds + POLL_GRACE,
            )
        )
        return [u.model_dump(mode="json", exclude_none=True, by_alias=True) for u in updates]

    async def send_message(self, chat_id: int, text: str, keyboard: Keyboard | None) -> None:
        markup = None
        if keyboard:
            markup = InlineKeyboardMarkup(
                inline_keyboard=[
                    [InlineKeyboardButton(text=label, callback_data=data) for label, data in row]
                    for row in keyboard
                ]
            )
        await _call(self._bot.send_message(chat_id=chat_id, text=text, reply_markup=markup))

    async def send_voice(self, chat_id: int, audio: bytes) -> None:
        voice = BufferedInputFile(audio, filename="relais.ogg")
        await _call(self._bot.send_voice(chat_id=chat_id, voice=voice))

    async def answer_callback_query(self, callback_query_id: str) -> None:
        await _call(self._bot.answer_callback_query(callback_query_id=callback_query_id))

    async def set_my_commands(self, commands: list[Command], language_code: str | None) -> None:
        await _call(
            self._bot.set_my_commands(
                commands=[
                    BotCommand(command=c.command, description=c.description) for c in commands
                ],
                language_code=language_code,
            )
        )

    async def set_webhook(self, url: str, secret_token: str) -> None:
        await _call(
            self._bot.set_webhook(
                url=url, secret_token=secret_token, allowed_updates=list(ALLOWED_UPDATES)
            )
        )

    async def delete_webhook(self) -> None:
        await _call(self._bot.delete_webhook())
