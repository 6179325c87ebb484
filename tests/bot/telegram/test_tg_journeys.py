"""Every journey end to end on Telegram: a person chatting through the Bot API emulator
(npm telegram-test-api), Relais running for real with python-telegram-bot and aiogram, in
polling and webhook mode. The case store is checked directly.

The journeys run on SQLite here (the storage paths are covered on both backends by the
web chat journeys and by the Telegram delivery tests on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Appointment, Conversation, Intake, Referral
from support.telegram_app import TelegramApp
from support.telegram_emulator import TelegramUser

Person = Callable[..., TelegramUser]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'db' / 'relais.sqlite3'}"


async def _rows(telegram: TelegramApp, model: type) -> list[Any]:
    async with telegram.db.transaction() as session:
        return list((await session.scalars(select(model).order_by(model.id))).all())


async def _consented(person: Person, lang: str = "fr", source: str = "") -> TelegramUser:
    sam = person(language_code=lang)
    await sam.send(f"/start {source}".strip())
    await sam.tap(f"entry.language.{lang}")
    await sam.tap("agree")
    assert "menu.main.housing" in sam.payloads()
    return sam


async def test_housing_with_emergency_shows_115_and_raises_an_urgent_referral(
    telegram: TelegramApp, person: Person
) -> None:
    sam = await _consented(person, "fr", source="bus-jaude")
    await sam.tap("menu.main.housing")
    await sam.tap("street")
    assert "115" in sam.last[0]["text"]
    assert "housing.age.18_25" in sam.payloads()
    await sam.send("19")
    await sam.send("Clermont-Ferrand")
    await sam.tap("low")
    await sam.tap("neet")
    await sam.tap("contact")
    intake = next(i for i in await _rows(telegram, Intake) if i.theme == "housing")
    assert (intake.urgency, intake.source, intake.channel) == ("urgent", "bus-jaude", "telegram")
    assert intake.territory == "clermont-auvergne-metropole"
    referrals = await _rows(telegram, Referral)
    assert {r.reason for r in referrals} == {"emergency", "journey"}
    assert all(r.urgency == "urgent" and r.role == "ml-cmv-housing-referent" for r in referrals)


async def test_cej_refers_a_minor_to_the_cej_sector(telegram: TelegramApp, person: Person) -> None:
    sam = await _consented(person, "en")
    await sam.tap("menu.main.cej")
    assert "552" in sam.text()
    for choice in ("check", "16_17", "job_seeker", "no_rqth", "not_said"):
        await sam.tap(choice)
    await sam.send("Aulnat")
    await sam.tap("join")
    referrals = await _rows(telegram, Referral)
    assert [(r.theme, r.role, r.rule_id) for r in referrals] == [
        ("cej", "ml-cmv-cej-sector", "r-cej-minor")
    ]


async def test_aid_finder_lists_the_metropole_fund(telegram: TelegramApp, person: Person) -> None:
    sam = await _consented(person, "fr")
    for choice in ("menu.main.aid", "general_support", "18_25", "french"):
        await sam.tap(choice)
    await sam.send("clermont ferrand")
    await sam.skip_profile()
    assert "FMAJ" in sam.text() and "FLU" in sam.text()
    await sam.tap("contact")
    referrals = await _rows(telegram, Referral)
    assert [(r.role, r.rule_id) for r in referrals] == [
        ("ml-cmv-social-aid-officer", "r-aid-faj-metropole")
    ]


async def test_appointment_booking(telegram: TelegramApp, person: Person) -> None:
    sam = await _consented(person, "en")
    await sam.tap("menu.main.appointment")
    await sam.tap("first_visit")
    await sam.tap("appointment.place.perm-ml-hq")
    await sam.tap(next(p for p in sam.payloads() if p.startswith("appointment.day.")))
    await sam.tap(next(p for p in sam.payloads() if p.startswith("appointment.time.")))
    await sam.tap("appointment.confirm.yes")
    assert "✅" in sam.text()
    booked = await _rows(telegram, Appointment)
    assert [(a.place_id, a.status) for a in booked] == [("ml-hq", "booked")]


async def test_start_greets_in_the_telegram_language_then_language_changes(
    telegram: TelegramApp, person: Person
) -> None:
    for user_id, code, greeting in [(1, "en", "Hello"), (2, "de", "Bonjour"), (3, None, "Bonjour")]:
        someone = person(user_id=user_id, language_code=code)
        await someone.send("/start")
        assert someone.text().startswith(greeting)
        assert "entry.language.fr" in someone.payloads()
    await someone.tap("entry.language.en")
    await someone.tap("agree")
    assert someone.text() == "What can I help you with?"
    await someone.send("/language")  # the list in place: the menu is asked again in French
    assert "nav.lang.fr" in someone.payloads()
    await someone.tap("nav.lang.fr")
    assert someone.text().startswith("Comment je peux t'aider")
    conversations = await _rows(telegram, Conversation)
    assert [c.lang for c in conversations] == ["en", None, "fr"]


async def test_talk_to_a_person(telegram: TelegramApp, person: Person) -> None:
    sam = await _consented(person, "fr")
    await sam.tap("menu.main.housing")
    await sam.send("/human")
    assert "menu.main.housing" in sam.payloads()
    await sam.tap("nav.human")
    referrals = await _rows(telegram, Referral)
    assert [r.reason for r in referrals] == ["wants_human", "wants_human"]
    assert referrals[0].theme == "housing"
