"""The journeys of issue 17 end to end through the web chat API, in French and in Arabic
(right to left), on both shipped deployments, on SQLite and PostgreSQL: the referral
is checked from outside through the admin API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from relais.settings import Settings
from support.webchat import WebChat

CLERMONT, HENIN = "clermont-ferrand", "henin-carvin"
TOWNS = {CLERMONT: "Clermont-Ferrand", HENIN: "Carvin"}
# The answers given to whatever profile question the routing needs, by button id.
CALM_ANSWERS = ("18_25", "none", "no", "job_seeker", "ok")


@pytest.fixture(params=[CLERMONT, HENIN])
def settings(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """The app of tests/support/app_fixtures.py, on one deployment of the directory."""
    return Settings(
        database_url=database_url,
        secret_key=SecretStr("test-key"),
        var_dir=tmp_path / "var",
        scheduler=False,
        deployment=request.param,
    )


async def _consented(chat: WebChat, lang: str) -> None:
    await chat.start()
    await chat.tap(f"entry.language.{lang}")
    await chat.tap("agree")
    assert "menu.main.health" in chat.payloads()


async def _answer_until_contact(chat: WebChat, status: str, town: str) -> None:
    """Answer the profile questions the journey asks until its offer of a contact."""
    for _ in range(15):
        offered = [p for p in chat.payloads() if not p.startswith("nav.")]
        if any(p.endswith(".summary.contact") for p in offered):
            return
        if not offered:  # the town is written, not tapped
            await chat.say(town)
            continue
        wanted = (f"status.{status}", *CALM_ANSWERS)
        choice = next((p for w in wanted for p in offered if p.endswith("." + w)), None)
        assert choice is not None, offered
        await chat.tap(choice)
    raise AssertionError(f"no contact offer: {chat.payloads()}")


async def _referrals(client: httpx.AsyncClient, headers: dict[str, str]) -> list[Any]:
    response = await client.get("/api/v1/referrals", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json())


async def _direction(client: httpx.AsyncClient, chat: WebChat) -> str:
    response = await client.get(f"/webchat/sessions/{chat.session_id}")
    assert response.status_code == 200, response.text
    return str(response.json()["direction"])


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_health_journey_refers_by_the_deployments_rules(
    chat: WebChat,
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    settings: Settings,
    lang: str,
) -> None:
    await _consented(chat, lang)
    assert await _direction(client, chat) == ("rtl" if lang == "ar" else "ltr")
    await chat.tap("menu.main.health")
    await chat.tap("health.need.care")
    await _answer_until_contact(chat, "french", TOWNS[settings.deployment])
    await chat.tap("health.summary.contact")
    referrals = await _referrals(client, admin_headers)
    expected = {CLERMONT: "r-health", HENIN: "hc-default"}[settings.deployment]
    assert [(r["theme"], r["reason"], r["rule_id"]) for r in referrals] == [
        ("health", "journey", expected)
    ]


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_papers_journey_refers_a_refugee(
    chat: WebChat,
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    settings: Settings,
    lang: str,
) -> None:
    await _consented(chat, lang)
    await chat.tap("menu.main.papers")
    await chat.tap("papers.need.first_steps")
    await _answer_until_contact(chat, "bpi", TOWNS[settings.deployment])
    await chat.tap("papers.summary.contact")
    referrals = await _referrals(client, admin_headers)
    expected = {CLERMONT: "r-bpi", HENIN: "hc-default"}[settings.deployment]
    assert [(r["theme"], r["rule_id"]) for r in referrals] == [("refugees_bpi", expected)]


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_minors_journey_from_more_help(
    chat: WebChat,
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    settings: Settings,
    lang: str,
) -> None:
    await _consented(chat, lang)
    await chat.tap("menu.main.more_help")
    await chat.tap("more_help.main.minors")
    await chat.tap("minors.age.16_17")
    await chat.tap("minors.work.neet")
    await _answer_until_contact(chat, "french", TOWNS[settings.deployment])
    await chat.tap("minors.summary.contact")
    referrals = await _referrals(client, admin_headers)
    expected = {CLERMONT: "r-minor-neet", HENIN: "hc-employment"}[settings.deployment]
    assert [(r["theme"], r["rule_id"]) for r in referrals] == [("training", expected)]
