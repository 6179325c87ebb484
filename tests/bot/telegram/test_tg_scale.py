"""Telegram with several instances on one PostgreSQL (issue 15).

- Polling: exactly one instance polls; when it dies (its lease is not handed over),
  another starts polling once the lease runs out, and nothing is lost.
- Webhook: the same update_id delivered to two instances at once is processed once, and
  its replies are sent once.
- The bot's and each chat's pace hold across instances (shared queueing buckets).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.ratelimit import channel_buckets
from bot.telegram.ratelimit import RateLimiter
from relais.settings import Settings
from storage import Database
from storage.limits import PostgresLimiter
from storage.models import InboundMessage, OutboxMessage
from support.postgres import fresh_postgres_database
from support.telegram_app import TelegramApp, running_app, telegram_settings
from support.telegram_fake_api import FakeBotApi, message_update

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg_settings(tmp_path: Path) -> AsyncIterator[Settings]:
    async with fresh_postgres_database() as url:
        yield Settings(
            database_url=url,
            secret_key=SecretStr("tg-scale"),
            var_dir=tmp_path / "var",
            scheduler=False,
            telegram_lease_seconds=2.0,
        )


async def _count(app: TelegramApp, model: type, **where: object) -> int:
    async with app.db.transaction() as session:
        stmt = select(func.count()).select_from(model)
        for column, value in where.items():
            stmt = stmt.where(getattr(model, column) == value)
        return int(await session.scalar(stmt) or 0)


async def _until(predicate: object, seconds: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await predicate():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "condition never met"
        await asyncio.sleep(0.05)


def _polls(app: TelegramApp) -> int:
    return int(app.app.state.services.telegram.poller.polls)


async def test_one_instance_polls_and_another_takes_over_when_it_dies(
    pg_settings: Settings, fake_api: FakeBotApi
) -> None:
    settings = telegram_settings(pg_settings, fake_api.url, "ptb", "polling")
    first_stack, second_stack = AsyncExitStack(), AsyncExitStack()
    async with first_stack, second_stack:
        apps = [
            await first_stack.enter_async_context(running_app(settings)),
            await second_stack.enter_async_context(running_app(settings)),
        ]

        async def someone_polled() -> bool:
            return sum(_polls(app) for app in apps) >= 3

        await _until(someone_polled)
        await asyncio.sleep(0.5)
        polling = [app for app in apps if _polls(app)]
        assert len(polling) == 1  # the other stands by
        holder, standby = polling[0], next(app for app in apps if app is not polling[0])

        fake_api.push(message_update(1, 4242, "/start"))

        async def stored_and_sent() -> bool:
            return (
                await _count(holder, InboundMessage) == 1
                and await _count(holder, OutboxMessage, status="delivered") > 0
            )

        await _until(stored_and_sent)
        # The holder dies: its tasks stop, its lease is not handed over.
        holder.app.state.services.telegram.lease = None
        await (first_stack if holder is apps[0] else second_stack).aclose()
        fake_api.push(message_update(2, 4242, "/menu"))

        async def taken_over() -> bool:
            return _polls(standby) > 0 and await _count(standby, InboundMessage) == 2

        await _until(taken_over)
        await standby.settle(2)
    assert len(fake_api.called("sendMessage")) >= 2


async def test_one_update_at_two_instances_at_once_is_handled_once(
    pg_settings: Settings, fake_api: FakeBotApi
) -> None:
    settings = telegram_settings(pg_settings, fake_api.url, "aiogram", "webhook")
    async with (
        running_app(settings, serve=False) as first,
        running_app(settings, serve=False) as second,
    ):
        headers = {"X-Telegram-Bot-Api-Secret-Token": settings.telegram_secret()}
        update = message_update(77, 4343, "/start")
        clients = [
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app.app), base_url="http://t")
            for app in (first, second)
        ]
        async with clients[0], clients[1]:
            answers = await asyncio.gather(
                *(c.post("/telegram/webhook", json=update, headers=headers) for c in clients),
                *(c.post("/telegram/webhook", json=update, headers=headers) for c in clients),
            )
        assert [a.status_code for a in answers] == [200] * 4
        await first.settle(1)
        await second.settle(1)
        assert await _count(first, InboundMessage) == 1
        replies = await _count(first, OutboxMessage)
        assert replies > 0 and await _count(first, OutboxMessage, status="delivered") == replies
    sent = [c for c in fake_api.called("sendMessage") if int(c.params["chat_id"]) == 4343]
    texts = [str(c.params["text"]) for c in sent]
    assert len(sent) >= replies and len(set(texts)) == len(texts)  # the one turn, sent once


async def test_the_pace_of_the_bot_and_of_a_chat_holds_across_instances(
    pg_settings: Settings,
) -> None:
    db = Database(pg_settings.database_url)
    await db.upgrade()
    now = [1000.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))

    buckets = channel_buckets(telegram_overall=30, telegram_per_chat=1)
    limiters = [PostgresLimiter(db, buckets, b"k", clock=lambda: now[0]) for _ in range(2)]
    paces = [RateLimiter(limiter=lim, clock=lambda: now[0], sleep=sleep) for lim in limiters]
    try:
        # Two instances send to one chat at the same moment: one waits a second.
        await paces[0].wait(7)
        await paces[1].wait(7)
        assert slept == [1.0, 0.033]  # its chat slot, then the bot's next slot
        # Thirty chats at once from both instances: spaced by 1/30 s for the bot.
        slept.clear()
        now[0] += 10
        for chat in range(30):
            await paces[chat % 2].wait(100 + chat)
        assert slept == pytest.approx([round(n / 30, 3) for n in range(1, 30)], abs=0.002)
    finally:
        for limiter in limiters:
            await limiter.close()
        await db.dispose()
