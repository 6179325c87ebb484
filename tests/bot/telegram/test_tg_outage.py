"""Telegram while the database is away (issue 8): the webhook answers 503 so Telegram
delivers the update again; polling keeps its offset and never skips an update for an
outage, however long. Nothing is stored half-way; once the database is back the same
update is handled once. PostgreSQL behind a proxy the test cuts (tests/support)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select

from relais.settings import Settings
from storage.models import InboundMessage
from support.tcp_proxy import TcpProxy
from support.telegram_app import TelegramApp, running_app, telegram_settings
from support.telegram_fake_api import FakeBotApi, message_update

pytestmark = pytest.mark.postgres
HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
def database_url(proxied_url: str) -> str:
    return proxied_url


@pytest.fixture
async def hooked(
    settings: Settings, fake_api: FakeBotApi, library: str
) -> AsyncIterator[tuple[TelegramApp, httpx.AsyncClient, dict[str, str]]]:
    """The app in webhook mode, reached in-process, and Telegram's secret header."""
    config = telegram_settings(settings, fake_api.url, library, "webhook")
    config = config.model_copy(update={"telegram_webhook_url": "https://relais.example/hook"})
    async with running_app(config, serve=False) as telegram:
        transport = httpx.ASGITransport(app=telegram.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://relais.test") as http:
            yield telegram, http, {HEADER: telegram.settings.telegram_secret()}


async def _stored(telegram: TelegramApp) -> int:
    async with telegram.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(InboundMessage)) or 0)


async def test_webhook_answers_503_then_the_redelivery_is_handled_once(
    hooked: tuple[TelegramApp, httpx.AsyncClient, dict[str, str]],
    fake_api: FakeBotApi,
    proxy: TcpProxy,
) -> None:
    telegram, http, headers = hooked
    update = message_update(11, 42, "/start", "en")
    await proxy.cut()
    down = await http.post("/telegram/webhook", json=update, headers=headers)
    assert (down.status_code, down.headers.get("retry-after")) == (503, "5")
    await proxy.restore()
    assert await _stored(telegram) == 0
    for _ in range(2):  # Telegram's redelivery, then a duplicate
        ok = await http.post("/telegram/webhook", json=update, headers=headers)
        assert ok.status_code == 200
    assert await _stored(telegram) == 1
    await telegram.settle(1)
    assert fake_api.called("sendMessage")


async def test_polling_waits_out_an_outage_without_skipping(
    settings: Settings, fake_api: FakeBotApi, library: str, proxy: TcpProxy
) -> None:
    async with running_app(telegram_settings(settings, fake_api.url, library, "polling")) as app:
        poller = app.app.state.services.telegram.poller
        update = message_update(500, 42, "/start", "en")
        await proxy.cut()
        # Far more attempts than `max_failures`, which would skip a poisonous update.
        for _ in range(3 * poller._max_failures):
            assert await poller.process([update]) is False
        assert poller.offset is None
        await proxy.restore()
        assert await poller.process([update]) is True
        assert poller.offset == 501
        assert await _stored(app) == 1


async def test_messages_sent_during_an_outage_are_recorded_and_not_sent_again(
    hooked: tuple[TelegramApp, httpx.AsyncClient, dict[str, str]],
    fake_api: FakeBotApi,
    proxy: TcpProxy,
) -> None:
    telegram, http, headers = hooked
    # The database goes away after the replies went out to Telegram, when the
    # dispatcher records them as delivered.
    proxy.cut_when(b"delivered_at=")
    update = message_update(21, 42, "/start", "en")
    assert (await http.post("/telegram/webhook", json=update, headers=headers)).is_success
    for _ in range(500):
        if proxy.cuts:
            break
        await asyncio.sleep(0.01)
    assert proxy.cuts == 1
    sent = len(fake_api.called("sendMessage"))
    await proxy.restore()
    await telegram.settle(1)
    assert sent > 0 and len(fake_api.called("sendMessage")) == sent
