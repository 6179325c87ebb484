"""From the chat to the yearly report: a young person answers the report's questions in
the aid journey (web chat API), and the year's tables count them; one who would rather
not say counts as "not said". On the real app and database."""

from __future__ import annotations

from typing import Any

import httpx

from storage.types import utcnow
from support.webchat import WebChat


async def _aid_journey(chat: WebChat, gender: str, neighbourhood: str | None, known: str) -> None:
    await chat.start()
    await chat.tap("entry.language.fr")
    await chat.tap("agree")
    await chat.tap("menu.main.aid")
    await chat.tap("general_support")
    await chat.tap("18_25")
    await chat.tap("french")
    await chat.say("clermont ferrand")
    await chat.tap(f"aid.gender.{gender}")
    qpv = neighbourhood or next(
        p
        for p in chat.payloads()
        if p.startswith("aid.neighbourhood.") and not p.endswith((".other", ".not_said"))
    )
    await chat.tap(qpv)
    await chat.tap(f"aid.known_to_ml.{known}")
    await chat.tap("contact")


async def _tables(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    asked = {"year": str(utcnow().year)}
    response = await client.get("/api/v1/stats/yearly", params=asked, headers=headers)
    assert response.status_code == 200, response.text
    tables: dict[str, Any] = response.json()["tables"]
    return tables


async def test_the_answers_given_in_the_chat_are_counted(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await _aid_journey(WebChat(client), "woman", None, "no")
    await _aid_journey(WebChat(client), "not_said", "aid.neighbourhood.not_said", "not_said")
    await _aid_journey(WebChat(client), "man", "aid.neighbourhood.other", "yes")
    tables = await _tables(client, admin_headers)
    count = {name: {row: cells["count"] for row, cells in tables[name].items()}
             for name in ("gender", "qpv", "known_to_ml")}  # fmt: skip
    assert count["gender"] == {"woman": 1, "man": 1, "other": 0, "not_said": 1}
    assert count["qpv"] == {"yes": 1, "no": 1, "not_said": 1}
    assert count["known_to_ml"] == {"new": 1, "known": 1, "not_said": 1}
    first = tables["people"]["first_welcomes"]
    assert (first["total"], first["women"], first["qpv"]) == (1, 1, 1)
    assert tables["themes"] == {"aid": {"referrals": 3}}
