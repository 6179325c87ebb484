"""The same person doing the housing journey again, through the web chat: one intake and
one open referral, however many times (issue 18); a new chat session is another person.
The case store is read from outside, through the admin API."""

from __future__ import annotations

from typing import Any

import httpx

from support.webchat import WebChat


async def _housing_journey(chat: WebChat, resources: str) -> None:
    """Housing, asked for a contact: the first offered answer at each step, except the
    money band, so each pass says something new."""
    await chat.tap("menu.main.housing")
    await chat.tap("hosted_unstable")
    for _ in range(30):
        offered = [p for p in chat.payloads() if not p.startswith("nav.")]
        if any(p.endswith(".contact") for p in offered):
            await chat.tap("contact")
            return
        if not offered:
            await chat.say("Clermont-Ferrand")
        elif any(p.endswith(f"resources.{resources}") for p in offered):
            await chat.tap(f"resources.{resources}")
        else:
            await chat.tap(offered[0])
    raise AssertionError("the housing journey never offered a contact")


async def _get(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[Any]:
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json())


async def test_housing_journey_done_three_times_keeps_one_intake_and_one_referral(
    chat: WebChat, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await chat.start()
    await chat.tap("entry.language.fr")
    await chat.tap("agree")
    for resources in ("none", "low", "mid"):
        await _housing_journey(chat, resources)

    intakes = await _get(client, "/api/v1/intakes", admin_headers)
    assert [(i["theme"], i["answers"]["resources_band"]) for i in intakes] == [("housing", "mid")]
    referrals = await _get(client, "/api/v1/referrals", admin_headers)
    assert [(r["theme"], r["status"]) for r in referrals] == [("housing", "new")]
    assert referrals[0]["summary"]["facts"]["resources_band"] == "mid"


async def test_two_chat_sessions_are_two_people(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    for _ in range(2):
        chat = WebChat(client)
        await chat.start()
        await chat.tap("entry.language.fr")
        await chat.tap("agree")
        await _housing_journey(chat, "low")
    referrals = await _get(client, "/api/v1/referrals", admin_headers)
    assert len(referrals) == 2
