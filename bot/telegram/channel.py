"""The Telegram channel assembled from settings: one library adapter, the update handler,
polling or webhook, the outbox dispatcher and the command menu; started and stopped by
the app's lifespan. Nothing here holds conversation logic.

Several instances (PostgreSQL): the composition root gives the channel the deployment's
limiter (per-bot, per-chat and per-person rates shared by all instances) and a lease on
the bot: its holder polls (polling mode) and sends; every instance answers webhooks.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.ratelimit import Limiter
from bot.runtime import Runtime
from bot.telegram.client import BotClient, TelegramError
from bot.telegram.commands import publish_commands
from bot.telegram.dispatcher import Dispatcher
from bot.telegram.inbound import UpdateHandler
from bot.telegram.polling import Poller
from bot.telegram.ratelimit import RateLimiter
from bot.telegram.redact import install_redaction
from conversations.i18n import Catalogs
from storage.leases import Lease
from storage.sealing import AddressSealer

log = logging.getLogger(__name__)


def make_client(library: str, token: str, api_url: str) -> BotClient:
    """The adapter for `library`; each library is imported only when chosen."""
    if library == "ptb":
        from bot.telegram.ptb_adapter import PtbClient

        return PtbClient(token, api_url)
    if library == "aiogram":
        from bot.telegram.aiogram_adapter import AiogramClient

        return AiogramClient(token, api_url)
    raise ValueError(f"unknown Telegram library {library!r}")


@dataclass(frozen=True)
class TelegramConfig:
    """What the channel needs, given by the composition root (relais/wiring.py)."""

    token: str
    library: str
    mode: str
    api_url: str
    webhook_url: str | None
    webhook_secret: str
    address_key: bytes
    rate_overall: float
    rate_per_chat: float


def bot_id(token: str) -> str:
    """The bot's numeric id, the part of the token before the colon (not a secret)."""
    return token.split(":", 1)[0]


class TelegramChannel:
    def __init__(
        self,
        config: TelegramConfig,
        runtime: Runtime,
        catalogs: Catalogs,
        limiter: Limiter | None = None,
        lease: Lease | None = None,
    ) -> None:
        install_redaction(config.token)
        self.mode = config.mode
        self.secret = config.webhook_secret
        self.client = make_client(config.library, config.token, config.api_url)
        self.sealer = AddressSealer(config.address_key)
        self.lease = lease
        pace = RateLimiter(
            config.rate_overall, config.rate_per_chat, limiter=limiter, bot=bot_id(config.token)
        )
        self.dispatcher = Dispatcher(runtime.db, self.client, self.sealer, pace, lease=lease)
        self.handler = UpdateHandler(
            runtime, self.client, self.sealer, self.dispatcher.wake, flood=limiter
        )
        self.poller = Poller(self.client, self.handler, lease=lease)
        self._webhook_url = config.webhook_url
        self._catalogs = catalogs
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Check the token, publish the menu, choose webhook or polling, start sending."""
        try:
            await self.client.open()
            await publish_commands(self.client, self._catalogs)
            if self.mode == "polling":
                await self.client.delete_webhook()
            elif self._webhook_url:
                await self.client.set_webhook(self._webhook_url, self.secret)
            else:
                log.warning("telegram: webhook mode without RELAIS_TELEGRAM_WEBHOOK_URL")
        except TelegramError as exc:
            log.error("telegram: start-up call failed (will keep trying to poll/send): %s", exc)
        if self.lease is not None:
            await self.lease.renew()  # the first instance starts at once, the others wait
            self._tasks.append(asyncio.create_task(self.lease.keep(), name="telegram-lease"))
        if self.mode == "polling":
            self._tasks.append(asyncio.create_task(self.poller.run(), name="telegram-poll"))
        self._tasks.append(asyncio.create_task(self.dispatcher.run(), name="telegram-send"))
        log.info("telegram: %s channel started (%s)", self.mode, self.client.library)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self.lease is not None:
            await self.lease.release()  # another instance takes over now, not in 10 s
        await self.client.close()
