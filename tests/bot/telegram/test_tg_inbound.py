"""Nothing is confirmed to Telegram before it is stored, and nothing is processed twice:
the webhook's secret check, stored-before-200, duplicate update_ids, a button and a
message at once, and polling that moves its offset only past stored updates. Both
libraries, both databases, against the fake Bot API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.ratelimit import TELEGRAM_PERSON, Bucket, MemoryLimiter
from bot.telegram.commands import COMMANDS
from bot.telegram.redact import MASK
from relais.settings import Settings
from storage.models import Conversation, InboundMessage, OutboxMessage
from support.telegram_app import TelegramApp, running_app, telegram_settings
from support.telegram_fake_api import FakeBotApi, callback_update, message_update

HEADER = "X-Telegram-Bot-Api-Secret-Token"
HOOK_URL = "https://relais.example/telegram/webhook"


@pytest.fixture
async def hooked(
    settings: Settings, fake_api: FakeBotApi, library: str
) -> AsyncIterator[tuple[TelegramApp, httpx.AsyncClient]]:
    """The app in webhook mode, reached in-process (Telegram's side is the test)."""
    config = telegram_settings(settings, fake_api.url, library, "webhook")
    config = config.model_copy(update={"telegram_webhook_url": HOOK_URL})
    async with running_app(config, serve=False) as telegram:
        transport = httpx.ASGITransport(app=telegram.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://relais.test") as http:
            yield telegram, http


async def _count(telegram: TelegramApp, model: type) -> int:
    async with telegram.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _post(
    telegram: TelegramApp, http: httpx.AsyncClient, update: Any, secret: str | None = ""
) -> httpx.Response:
    """POST like Telegram: with the right secret by default, `None` for no header at all."""
    secret = telegram.settings.telegram_secret() if secret == "" else secret
    headers = {HEADER: secret} if secret is not None else {}
    return await http.post("/telegram/webhook", json=update, headers=headers)


async def test_webhook_secret_missing_or_wrong_touches_nothing(
    hooked: tuple[TelegramApp, httpx.AsyncClient], fake_api: FakeBotApi
) -> None:
    telegram, http = hooked
    update = message_update(1, 42, "/start")
    assert (await _post(telegram, http, update, secret=None)).status_code == 401
    assert (await _post(telegram, http, update, secret="wrong")).status_code == 403
    assert (await _post(telegram, http, [1, 2])).status_code == 400
    await asyncio.sleep(0.2)
    assert await _count(telegram, Conversation) == 0
    assert await _count(telegram, InboundMessage) == 0
    assert fake_api.called("sendMessage") == []


async def test_webhook_stores_before_200_and_a_duplicate_is_processed_once(
    hooked: tuple[TelegramApp, httpx.AsyncClient], fake_api: FakeBotApi
) -> None:
    telegram, http = hooked
    update = message_update(7, 42, "/start bus-jaude", "en")
    assert (await _post(telegram, http, update)).status_code == 200
    assert await _count(telegram, InboundMessage) == 1  # stored when Telegram got its 200
    outbox = await _count(telegram, OutboxMessage)
    assert (await _post(telegram, http, update)).status_code == 200
    assert (await _count(telegram, InboundMessage), await _count(telegram, OutboxMessage)) == (
        1,
        outbox,
    )
    await telegram.settle(1)
    assert len(fake_api.called("sendMessage")) == outbox


async def test_a_button_and_a_message_at_once_are_serialised_and_answered(
    hooked: tuple[TelegramApp, httpx.AsyncClient], fake_api: FakeBotApi
) -> None:
    telegram, http = hooked
    assert (await _post(telegram, http, message_update(1, 42, "/start", "en"))).status_code == 200
    tap, text = callback_update(2, 42, "entry.language.en"), message_update(3, 42, "hello")
    answers = await asyncio.gather(_post(telegram, http, tap), _post(telegram, http, text))
    assert [a.status_code for a in answers] == [200, 200]
    async with telegram.db.transaction() as session:
        assert (await session.scalars(select(Conversation.version))).one() == 3
    answered = [c.params["callback_query_id"] for c in fake_api.called("answerCallbackQuery")]
    assert answered == ["cq-2"]


async def test_webhook_and_command_menu_are_registered(
    hooked: tuple[TelegramApp, httpx.AsyncClient], fake_api: FakeBotApi
) -> None:
    telegram, _ = hooked
    webhook = fake_api.called("setWebhook")[0].params
    assert (webhook["url"], webhook["secret_token"]) == (
        HOOK_URL,
        telegram.settings.telegram_secret(),
    )
    menus = {
        c.params.get("language_code"): c.params["commands"]
        for c in fake_api.called("setMyCommands")
    }
    assert None in menus and {"fr", "en"} <= set(menus)
    french = {c["command"]: c["description"] for c in menus["fr"]}
    assert list(french) == [name for name, _ in COMMANDS]
    assert "voice" in french
    assert (french["start"], french["menu"]) == ("Recommencer", "🏠 Menu")
    assert menus[None] == menus["fr"]


@pytest.fixture
async def polling(
    settings: Settings, fake_api: FakeBotApi, library: str
) -> AsyncIterator[TelegramApp]:
    async with running_app(telegram_settings(settings, fake_api.url, library, "polling")) as app:
        yield app


async def test_polling_moves_the_offset_only_past_stored_updates(
    polling: TelegramApp, fake_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = polling.app.state.services.runtime
    real_handle = runtime.handle
    failures = [RuntimeError("database went away")]

    async def flaky(inbound: Any) -> Any:
        if failures:
            raise failures.pop()
        return await real_handle(inbound)

    monkeypatch.setattr(runtime, "handle", flaky)
    fake_api.push(message_update(100, 42, "/start"), message_update(101, 43, "/start"))
    await polling.settle(2)
    offsets = [c.params.get("offset") for c in fake_api.called("getUpdates")]
    assert 101 not in offsets[: offsets.index(102)]  # never confirmed 100 before storing it
    assert offsets[-1] == 102
    assert await _count(polling, InboundMessage) == 2


async def test_polling_redelivery_is_processed_once(
    polling: TelegramApp, fake_api: FakeBotApi
) -> None:
    fake_api.push(message_update(5, 42, "/start"))
    await polling.settle(1)
    sent = len(fake_api.called("sendMessage"))
    fake_api.push(message_update(5, 42, "/start"))  # e.g. after a restart lost the offset
    await asyncio.sleep(0.3)
    await polling.settle(1)
    assert await _count(polling, InboundMessage) == 1
    assert len(fake_api.called("sendMessage")) == sent


async def test_the_token_never_reaches_the_logs(
    settings: Settings, fake_api: FakeBotApi, library: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    config = telegram_settings(settings, fake_api.url, library, "polling")
    fake_api.block(42)
    async with running_app(config) as telegram:
        fake_api.push(message_update(1, 42, "/start"))
        await telegram.settle(1)
    assert "telegram: conversation" in caplog.text  # the 403 was logged...
    assert telegram.token not in caplog.text  # ...and the token never was
    assert telegram.token.split(":")[1] not in caplog.text
    if library == "ptb":  # PTB logs its API URL, token included, at DEBUG: it was masked
        assert MASK in caplog.text


async def test_one_person_flooding_is_cut_short_and_others_still_served(
    hooked: tuple[TelegramApp, httpx.AsyncClient],
) -> None:
    telegram, http = hooked
    handler = telegram.app.state.services.telegram.handler
    handler.flood = MemoryLimiter({TELEGRAM_PERSON: Bucket(rate=0.001, burst=3)})
    flood = [message_update(200 + i, 42, f"spam {i}") for i in range(8)]
    answers = [await _post(telegram, http, update) for update in flood]
    assert [a.status_code for a in answers] == [200] * 8  # confirmed: no redelivery storm
    assert await _count(telegram, InboundMessage) == 3
    assert (await _post(telegram, http, message_update(300, 43, "/start"))).status_code == 200
    assert await _count(telegram, InboundMessage) == 4
