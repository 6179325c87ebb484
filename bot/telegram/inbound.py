"""One Telegram update → one durable turn. Shared by polling and the webhook.

`runtime.handle` with `message_id=<update_id>` writes the inbox row and the whole turn in
one transaction, so when `handle` returns the update is stored: only then may the caller
confirm it to Telegram (answer the webhook, move the polling offset). A redelivered
update_id finds its inbox row and is not processed again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

from bot.ratelimit import TELEGRAM_PERSON, Limiter, MemoryLimiter, channel_buckets
from bot.runtime import Inbound, Runtime
from bot.telegram.client import BotClient, TelegramError
from bot.telegram.updates import parse
from storage.sealing import AddressSealer

CHANNEL: Final = "telegram"
log = logging.getLogger(__name__)


class UpdateHandler:
    def __init__(
        self,
        runtime: Runtime,
        client: BotClient,
        sealer: AddressSealer,
        on_stored: Callable[[], None] = lambda: None,
        flood: Limiter | None = None,
    ) -> None:
        # One person sending far more than anyone types (a script, a stuck key): the
        # excess is confirmed to Telegram and dropped, so it cannot starve the others.
        # The deployment's limiter when given (shared by every instance on PostgreSQL).
        self.flood: Limiter = flood or MemoryLimiter(channel_buckets())
        self._runtime = runtime
        self._client = client
        self._sealer = sealer
        self._on_stored = on_stored

    async def handle(self, update: dict[str, Any]) -> None:
        """Store and process one update (Bot API JSON); raises if it could not be stored."""
        try:
            parsed = parse(update)
        except (KeyError, TypeError, ValueError):
            # Valid for the library but not shaped as we expect: no retry would fix it.
            log.warning("telegram: update %s ignored (unexpected shape)", update.get("update_id"))
            return
        if parsed is None:
            return
        if await self.flood.take(f"{TELEGRAM_PERSON}:{parsed.user_id}") > 0:
            log.warning("telegram: update dropped, one person over the rate limit")
            if parsed.callback_query_id is not None:
                await self._answer(parsed.callback_query_id)
            return
        inbound = Inbound(
            CHANNEL,
            str(parsed.user_id),
            parsed.event,
            message_id=str(parsed.update_id),
            create=True,
            # Sealed at rest by its column (storage/sealing.py), like all personal text.
            address=str(parsed.chat_id),
        )
        try:
            outcome = await self._runtime.handle(inbound)
        finally:
            if parsed.callback_query_id is not None:
                await self._answer(parsed.callback_query_id)
        if not outcome.duplicate:
            self._on_stored()

    async def _answer(self, callback_query_id: str) -> None:
        """Stop the button's spinner; a stale or repeated query may be refused, harmlessly."""
        try:
            await self._client.answer_callback_query(callback_query_id)
        except TelegramError as exc:
            log.info("telegram: answerCallbackQuery refused: %s", exc)
