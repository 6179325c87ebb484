"""The real Relais app with its Telegram channel on, for end-to-end tests.

Polling mode runs the app's lifespan (the poller calls the Bot API server); webhook mode
also serves the app with uvicorn on a free loopback port, so the Bot API server can POST
updates to it. `settle(n)` waits until n updates are stored and the outbox is empty.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import func, select

from relais.app import create_app
from relais.settings import Settings
from storage import Database
from storage.models import InboundMessage, OutboxMessage


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def new_token() -> str:
    """A token shaped like BotFather's (aiogram checks the shape), unique per test."""
    return f"{secrets.randbelow(10**9) + 10**9}:RelaisTest{secrets.token_hex(12)}"


@dataclass
class TelegramApp:
    app: FastAPI
    settings: Settings
    token: str
    expected: int = 0

    @property
    def db(self) -> Database:
        database: Database = self.app.state.services.db
        return database

    async def counts(self) -> tuple[int, int]:
        """(updates stored, telegram messages not yet sent)."""
        async with self.db.transaction() as session:
            stored = await session.scalar(
                select(func.count())
                .select_from(InboundMessage)
                .where(InboundMessage.channel == "telegram")
            )
            waiting = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.channel == "telegram",
                    OutboxMessage.status.in_(["pending", "sending"]),
                )
            )
        return int(stored or 0), int(waiting or 0)

    async def settle_next(self) -> None:
        """One more update was sent: wait until it is stored and every reply sent."""
        self.expected += 1
        await self.settle(self.expected)

    async def settle(self, stored: int, seconds: float = 20.0) -> None:
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            done, waiting = await self.counts()
            if done >= stored and waiting == 0:
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"not settled: {done}/{stored} stored, {waiting} unsent")
            await asyncio.sleep(0.02)


def telegram_settings(
    base: Settings, api_url: str, library: str, mode: str, port: int | None = None
) -> Settings:
    token = new_token()
    return base.model_copy(
        update={
            "telegram_token": SecretStr(token),
            "telegram_library": library,
            "telegram_mode": mode,
            "telegram_api_url": api_url,
            "telegram_webhook_url": f"http://127.0.0.1:{port}/telegram/webhook" if port else None,
            "telegram_rate_overall": 1000.0,
            "telegram_rate_per_chat": 200.0,
            "scheduler": False,
        }
    )


@asynccontextmanager
async def running_app(settings: Settings, serve: bool = True) -> AsyncIterator[TelegramApp]:
    """Start the app (and, in webhook mode, an HTTP server for it unless `serve` is
    False: then the test posts to the app itself); stop both after."""
    assert settings.telegram_token is not None
    app = create_app(settings)
    token = settings.telegram_token.get_secret_value()
    if settings.telegram_mode == "polling" or not serve:
        async with app.router.lifespan_context(app):
            yield TelegramApp(app, settings, token)
        return
    assert settings.telegram_webhook_url is not None
    port = int(settings.telegram_webhook_url.split(":")[2].split("/")[0])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield TelegramApp(app, settings, token)
    finally:
        server.should_exit = True
        await task
