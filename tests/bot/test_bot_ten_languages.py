"""Every journey can be completed in each of the ten shipped languages (issue 5), through
the web chat API, with the case store checked. SQLite only: the languages change nothing
in storage, which the other suites test on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conversations.i18n import load_languages
from support.webchat import WebChat

LANGUAGES = [language.code for language in load_languages()]


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite+aiosqlite:///{tmp_path / 'langs.sqlite3'}"


async def _journey(chat: WebChat, journey: str) -> None:
    await chat.tap(f"menu.main.{journey}")
    if journey == "housing":
        await chat.tap("family_home")
        await chat.tap("wants_autonomy")
        await chat.say("19")
        await chat.say("Clermont-Ferrand")
        await chat.tap("low")
        await chat.tap("student")
        await chat.tap("contact")
    elif journey == "cej":
        await chat.tap("check")
        await chat.tap("18_25")
        await chat.tap("job_seeker")
        await chat.tap("no_rqth")
        await chat.tap("not_said")
        await chat.say("Gerzat")
        await chat.tap("join")
    elif journey == "aid":
        await chat.tap("transport")
        await chat.tap("18_25")
        await chat.tap("regular_stay")
        await chat.skip_profile()  # a newcomer is asked about an interpreter
        await chat.say("Clermont-Ferrand")
        await chat.tap("contact")
    else:
        await chat.tap("first_visit")
        await chat.tap("appointment.place.perm-ml-hq")
        await chat.tap(next(p for p in chat.payloads() if p.startswith("appointment.day.")))
        await chat.tap(next(p for p in chat.payloads() if p.startswith("appointment.time.")))
        await chat.tap("appointment.confirm.yes")
        assert "✅" in chat.text()


@pytest.mark.parametrize("journey", ["housing", "cej", "aid", "appointment"])
@pytest.mark.parametrize("lang", LANGUAGES)
async def test_journey_in_every_language(
    chat: WebChat,
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    lang: str,
    journey: str,
) -> None:
    await chat.start()
    await chat.tap(f"entry.language.{lang}")
    await chat.tap("agree")
    english = {"What can I help you with?"}
    assert lang == "en" or not english & {m["text"] for m in chat.last}
    await _journey(chat, journey)
    assert "menu.main.housing" in chat.payloads()
    intakes = (await client.get("/api/v1/intakes", headers=admin_headers)).json()
    assert [(i["theme"], i["lang"]) for i in intakes] == [(journey, lang)]
    if journey != "appointment":
        referrals = (await client.get("/api/v1/referrals", headers=admin_headers)).json()
        assert [(r["theme"], r["lang"]) for r in referrals] == [(journey, lang)]
