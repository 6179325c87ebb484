"""The adapter contract: python-telegram-bot and aiogram pass the same suite, over HTTP,
against the fake Bot API: same requests out, same JSON in, same error mapping."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.telegram.channel import make_client
from bot.telegram.client import (
    Blocked,
    BotClient,
    Command,
    Rejected,
    RetryAfter,
    TelegramError,
    Unreachable,
)
from bot.telegram.updates import parse
from support.telegram_app import free_port, new_token
from support.telegram_fake_api import (
    BAD_REQUEST,
    BLOCKED,
    CONFLICT,
    SERVER_ERROR,
    FakeBotApi,
    callback_update,
    error,
    message_update,
)


@pytest.fixture
async def client(fake_api: FakeBotApi, library: str) -> AsyncIterator[BotClient]:
    bot = make_client(library, new_token(), fake_api.url)
    await bot.open()
    try:
        yield bot
    finally:
        await bot.close()


async def test_send_message_with_inline_keyboard(client: BotClient, fake_api: FakeBotApi) -> None:
    keyboard = [[("Housing", "menu.main.housing")], [("⬅ Back", "nav.back"), ("🏠", "nav.menu")]]
    await client.send_message(42, "Bonjour !", keyboard)
    await client.send_message(42, "plain", None)
    first, second = (c.params for c in fake_api.called("sendMessage"))
    assert (int(first["chat_id"]), first["text"]) == (42, "Bonjour !")
    assert first["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Housing", "callback_data": "menu.main.housing"}],
            [
                {"text": "⬅ Back", "callback_data": "nav.back"},
                {"text": "🏠", "callback_data": "nav.menu"},
            ],
        ]
    }
    assert "parse_mode" not in first and "reply_markup" not in second


async def test_updates_come_back_as_the_same_json(client: BotClient, fake_api: FakeBotApi) -> None:
    fake_api.push(
        message_update(7, 42, "/start bus-jaude", "en"), callback_update(8, 42, "nav.menu")
    )
    updates = await client.get_updates(None, 1)
    assert [parse(u) for u in updates] == [
        parse(message_update(7, 42, "/start bus-jaude", "en")),
        parse(callback_update(8, 42, "nav.menu")),
    ]
    assert parse(client.parse_update(callback_update(9, 42, "x")))  # webhook JSON validated
    await client.get_updates(9, 0)
    assert [c.params.get("offset") for c in fake_api.called("getUpdates")] == [None, 9]
    assert fake_api.called("getUpdates")[0].params["allowed_updates"] == [
        "message",
        "callback_query",
    ]


async def test_invalid_update_json_is_refused(client: BotClient) -> None:
    with pytest.raises(Exception):  # noqa: B017 - each library has its own validation error
        client.parse_update({"update_id": "not a number", "message": 3})


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (error(429, "Too Many Requests: retry after 3", retry_after=3), RetryAfter),
        (BLOCKED, Blocked),
        (BAD_REQUEST, Rejected),
        (SERVER_ERROR, Unreachable),
        (CONFLICT, TelegramError),
    ],
)
async def test_errors_are_mapped(
    client: BotClient, fake_api: FakeBotApi, answer: tuple[int, object], expected: type
) -> None:
    fake_api.script("sendMessage", answer)
    with pytest.raises(expected) as raised:
        await client.send_message(42, "hello", None)
    assert type(raised.value) is expected
    if isinstance(raised.value, RetryAfter):
        assert raised.value.seconds == 3


async def test_unreachable_server(library: str) -> None:
    bot = make_client(library, new_token(), f"http://127.0.0.1:{free_port()}")
    try:
        with pytest.raises(Unreachable):
            await bot.send_message(42, "hello", None)
    finally:
        await bot.close()


async def test_commands_webhook_and_callback_answers(
    client: BotClient, fake_api: FakeBotApi
) -> None:
    await client.set_my_commands([Command("menu", "🏠 Menu")], "fr")
    await client.set_webhook("https://relais.example/telegram/webhook", "s3cret")
    await client.delete_webhook()
    await client.answer_callback_query("cq-1")
    commands, webhook = fake_api.called("setMyCommands")[0], fake_api.called("setWebhook")[0]
    assert commands.params["commands"] == [{"command": "menu", "description": "🏠 Menu"}]
    assert commands.params["language_code"] == "fr"
    assert webhook.params["secret_token"] == "s3cret"
    assert webhook.params["url"] == "https://relais.example/telegram/webhook"
    assert fake_api.called("answerCallbackQuery")[0].params["callback_query_id"] == "cq-1"
    assert len(fake_api.called("deleteWebhook")) == 1
