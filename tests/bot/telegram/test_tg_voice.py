"""Voice on Telegram (issue 19), with both libraries against the fake Bot API and the npm
emulator: the 🔊 setting sends each reply as a voice note (sendVoice, Opus in Ogg) before
its text; a voice message from the person gets the kind answer in their language and
creates nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import func, select

from conversations.i18n import Catalogs
from conversations.voice import CANNOT_LISTEN, NO_VOICE, VOICE_OFF, VOICE_ON
from relais.settings import Settings
from storage.models import Intake, Referral
from support.speech import needs_speech
from support.telegram_app import TelegramApp, running_app, telegram_settings
from support.telegram_emulator import TelegramUser
from support.telegram_fake_api import FakeBotApi, callback_update, message_update, voice_update

CATALOGS = Catalogs()
speech_tools = needs_speech


@pytest.fixture
async def polling(
    settings: Settings, fake_api: FakeBotApi, library: str
) -> AsyncIterator[TelegramApp]:
    async with running_app(telegram_settings(settings, fake_api.url, library, "polling")) as app:
        yield app


class Person:
    def __init__(self, app: TelegramApp, fake: FakeBotApi, user_id: int, lang: str) -> None:
        self.app, self.fake, self.user_id, self.lang = app, fake, user_id, lang
        self.update_id = user_id * 100

    async def send(self, update: dict[str, object]) -> None:
        self.fake.push(update)
        self.app.expected += 1
        await self.app.settle(self.app.expected)

    async def say(self, text: str) -> None:
        self.update_id += 1
        await self.send(message_update(self.update_id, self.user_id, text, self.lang))

    async def tap(self, payload: str) -> None:
        self.update_id += 1
        await self.send(callback_update(self.update_id, self.user_id, payload))

    async def speak(self) -> None:
        self.update_id += 1
        await self.send(voice_update(self.update_id, self.user_id, self.lang))

    def texts(self) -> list[str]:
        calls = self.fake.called("sendMessage")
        return [str(c.params["text"]) for c in calls if int(c.params["chat_id"]) == self.user_id]

    def voices(self) -> list[bytes]:
        calls = self.fake.called("sendVoice")
        return [c.params["voice"] for c in calls if int(c.params["chat_id"]) == self.user_id]


async def _count(app: TelegramApp, model: type) -> int:
    async with app.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@speech_tools
async def test_the_voice_setting_sends_each_reply_as_a_voice_note(
    polling: TelegramApp, fake_api: FakeBotApi
) -> None:
    sam = Person(polling, fake_api, 42, "uk")
    await sam.say("/start")
    await sam.tap("entry.language.uk")
    assert sam.voices() == []
    await sam.say("/voice")
    assert CATALOGS.gettext("uk", VOICE_ON) in sam.texts()
    notes = sam.voices()
    assert len(notes) == 2  # the confirmation, then the question re-asked
    assert all(note.startswith(b"OggS") and b"OpusHead" in note[:100] for note in notes)
    # A voice note comes before its text: the buttons stay at the bottom of the chat.
    order = [c.method for c in fake_api.calls if c.method in ("sendVoice", "sendMessage")]
    assert order[-4:] == ["sendVoice", "sendMessage", "sendVoice", "sendMessage"]
    await sam.tap("entry.consent.agree")
    assert len(sam.voices()) == 3
    await sam.say("/voice")
    assert CATALOGS.gettext("uk", VOICE_OFF) in sam.texts()
    await sam.say("/menu")
    assert len(sam.voices()) == 3


async def test_a_language_without_a_voice_says_so_and_offers_a_person(
    polling: TelegramApp, fake_api: FakeBotApi
) -> None:
    pat = Person(polling, fake_api, 43, "ps")
    await pat.say("/start")
    await pat.tap("entry.language.ps")
    await pat.say("/voice")
    assert CATALOGS.gettext("ps", NO_VOICE) in pat.texts()
    sent = [c for c in fake_api.called("sendMessage") if c.params["text"] == pat.texts()[-2]]
    rows = sent[-1].params["reply_markup"]["inline_keyboard"]
    buttons = [b["callback_data"] for row in rows for b in row]
    assert buttons == ["nav.human"]
    assert pat.voices() == []


@pytest.mark.parametrize("lang", ["ar", "uk", "ti"])
async def test_a_voice_message_gets_the_kind_answer_in_the_persons_language(
    polling: TelegramApp, fake_api: FakeBotApi, lang: str
) -> None:
    ana = Person(polling, fake_api, 44, lang)
    await ana.say("/start")
    await ana.tap(f"entry.language.{lang}")
    await ana.tap("entry.consent.agree")
    before = len(ana.texts())
    await ana.speak()
    answer = ana.texts()[before:]
    assert answer[0] == CATALOGS.gettext(lang, CANNOT_LISTEN) != CANNOT_LISTEN
    assert len(answer) == 2  # then the menu again, with its buttons
    assert (await _count(polling, Intake), await _count(polling, Referral)) == (0, 0)
    assert fake_api.called("getFile") == []  # the audio is never fetched


async def test_a_first_voice_message_is_answered_in_the_telegram_language(
    polling: TelegramApp, fake_api: FakeBotApi
) -> None:
    new = Person(polling, fake_api, 45, "ar")
    await new.speak()
    assert new.texts()[0] == CATALOGS.gettext("ar", CANNOT_LISTEN)


@speech_tools
async def test_on_the_emulator_the_reply_comes_as_a_voice_note(
    person: Callable[..., TelegramUser],
) -> None:
    """The same with the npm Bot API emulator, both libraries, polling and webhook."""
    sam = person(user_id=4343, language_code="ar")
    await sam.send("/start")
    await sam.tap("entry.language.ar")
    assert sam.voices() == []
    await sam.send("/voice")
    assert CATALOGS.gettext("ar", VOICE_ON) in sam.text()
    notes = sam.voices()
    assert len(notes) == 2 and all(note["voice_ogg"] for note in notes)
    assert notes[0]["voice"]["file_size"] > 1000
