"""Small pure parts of the Telegram channel: update parsing, rendering and splitting,
sealed addresses, pacing with a fake clock."""

from __future__ import annotations

import pytest

from bot.telegram.ratelimit import RateLimiter
from bot.telegram.render import MAX_TEXT, render, split_text
from bot.telegram.updates import parse
from conversations.model import Event
from storage.sealing import AddressSealer, AddressUnreadable
from support.telegram_fake_api import callback_update, message_update


def test_start_with_deep_link_and_language() -> None:
    update = parse(message_update(1, 42, "/start bus-jaude", "uk"))
    assert update is not None
    assert update.event == Event.start(lang_hint="uk", source="bus-jaude")
    assert (update.update_id, update.user_id, update.chat_id) == (1, 42, 42)
    bad = parse(message_update(2, 42, "/start <script>"))
    assert bad is not None and bad.event == Event.start(lang_hint="fr", source=None)


def test_commands_and_text_reach_the_engine_as_text() -> None:
    for text, expected in [("/menu@RelaisBot", "/menu"), ("/human", "/human"), ("19", "19")]:
        update = parse(message_update(1, 42, text))
        assert update is not None and update.event == Event.message(expected)


def test_callback_query_is_a_button_with_its_id() -> None:
    update = parse(callback_update(9, 42, "housing.where_sleep.street"))
    assert update is not None
    assert update.event == Event.button("housing.where_sleep.street")
    assert update.callback_query_id == "cq-9"


def test_groups_bots_and_other_updates_are_ignored() -> None:
    group = message_update(1, 42, "hi")
    group["message"]["chat"] = {"id": -100, "type": "group", "title": "x"}
    robot = message_update(2, 42, "hi")
    robot["message"]["from"]["is_bot"] = True
    assert parse(group) is None and parse(robot) is None
    assert parse({"update_id": 3, "edited_message": {}}) is None


def test_long_text_is_split_at_paragraphs_under_the_limit() -> None:
    paragraphs = [f"{i} " + "word " * 300 for i in range(10)]  # ~1,500 characters each
    parts = split_text("\n\n".join(paragraphs))
    assert len(parts) == 5 and all(len(p) <= MAX_TEXT for p in parts)
    assert all(p.startswith(f"{2 * i} ") for i, p in enumerate(parts))
    assert "\n\n".join(parts) == "\n\n".join(paragraphs)  # nothing lost, nothing cut


def test_emoji_count_double_and_unbroken_text_is_cut() -> None:
    parts = split_text("🏠" * 3000)
    assert [len(p) for p in parts] == [2048, 952]
    assert split_text("short") == ["short"]


def test_buttons_ride_on_the_last_part_and_nav_goes_two_by_two() -> None:
    body = {
        "text": "A" * 5000,
        "buttons": [
            {"label": "Street", "payload": "housing.where_sleep.street"},
            {"label": "Back", "payload": "nav.back"},
            {"label": "Menu", "payload": "nav.menu"},
            {"label": "Person", "payload": "nav.human"},
        ],
        "urgent": True,
    }
    first, last = render(body)
    assert first.keyboard is None
    assert last.keyboard == [
        [("Street", "housing.where_sleep.street")],
        [("Back", "nav.back"), ("Menu", "nav.menu")],
        [("Person", "nav.human")],
    ]


def test_callback_data_over_64_bytes_is_refused() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        render({"text": "x", "buttons": [{"label": "x", "payload": "é" * 33}]})


def test_addresses_are_sealed_and_need_the_key() -> None:
    sealer = AddressSealer(b"key-one")
    sealed = sealer.seal("123456789")
    assert "123456789" not in sealed and sealer.seal("123456789") != sealed
    assert sealer.open(sealed) == "123456789"
    with pytest.raises(AddressUnreadable):
        AddressSealer(b"key-two").open(sealed)


async def test_rate_limiter_paces_chats_and_honours_pauses() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    limiter = RateLimiter(30, 1, clock=lambda: now[0], sleep=sleep)
    await limiter.wait(1)
    await limiter.wait(2)  # another chat: only the global 1/30 s spacing
    await limiter.wait(1)  # same chat: one second after its previous message
    assert slept == [0.033, 0.967]
    limiter.pause(5)
    await limiter.wait(3)
    assert slept[-1] == 5.0
