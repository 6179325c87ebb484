"""Fixtures of the Telegram tests: the emulator (once per session), the app with its
Telegram channel for each library × mode, and a person chatting through the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from relais.settings import Settings
from support.telegram_app import TelegramApp, free_port, running_app, telegram_settings
from support.telegram_emulator import Emulator, TelegramUser
from support.telegram_fake_api import FakeBotApi

LIBRARIES = ["ptb", "aiogram"]
MODES = ["polling", "webhook"]


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    running = Emulator.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(params=LIBRARIES)
def library(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def telegram(
    settings: Settings, emulator: Emulator, library: str, mode: str
) -> AsyncIterator[TelegramApp]:
    port = free_port() if mode == "webhook" else None
    async with running_app(telegram_settings(settings, emulator.url, library, mode, port)) as app:
        yield app


@pytest.fixture
def person(telegram: TelegramApp, emulator: Emulator) -> Callable[..., TelegramUser]:
    def make(user_id: int = 4242, language_code: str | None = "fr") -> TelegramUser:
        return TelegramUser(emulator, telegram.token, user_id, telegram.settle_next, language_code)

    return make


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    server = await FakeBotApi().start()
    try:
        yield server
    finally:
        await server.stop()
