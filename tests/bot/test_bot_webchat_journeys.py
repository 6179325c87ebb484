"""Every journey end to end through the web chat API, in French and English, on SQLite
and PostgreSQL, with the case store checked from outside through the admin API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from support.webchat import WebChat

LANGS = ["fr", "en"]


async def _consented(chat: WebChat, lang: str, source: str | None = None) -> None:
    await chat.start(source=source)
    await chat.tap(f"entry.language.{lang}")
    await chat.tap("agree")
    assert "menu.main.housing" in chat.payloads()


async def _get(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[Any]:
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json())


@pytest.mark.parametrize("lang", LANGS)
async def test_housing_journey_with_emergency_writes_intake_and_urgent_referral(
    chat: WebChat, client: httpx.AsyncClient, admin_headers: dict[str, str], lang: str
) -> None:
    await _consented(chat, lang, source="bus-jaude")
    await chat.tap("menu.main.housing")
    await chat.tap("street")
    assert chat.last[0]["urgent"] and "115" in chat.last[0]["text"]
    assert "housing.age.18_25" in chat.payloads()
    await chat.say("19")
    await chat.say("Clermont-Ferrand")
    await chat.tap("low")
    await chat.tap("neet")
    await chat.skip_profile()
    assert "115" in chat.text()
    await chat.tap("contact")

    intakes = await _get(client, "/api/v1/intakes", admin_headers)
    housing = next(i for i in intakes if i["theme"] == "housing")
    assert housing["answers"] == {"housing_situation": "street", "resources_band": "low"}
    assert housing["age_band"] == "18_25"
    assert housing["territory"] == "clermont-auvergne-metropole"
    assert housing["urgency"] == "urgent"
    assert housing["lang"] == lang and housing["source"] == "bus-jaude"
    referrals = await _get(client, "/api/v1/referrals", admin_headers)
    assert {r["reason"] for r in referrals} == {"emergency", "journey"}
    assert all(r["role"] == "ml-cmv-housing-referent" for r in referrals)
    assert all(r["urgency"] == "urgent" and r["structure"] == "ml-cmv" for r in referrals)


@pytest.mark.parametrize("lang", LANGS)
async def test_cej_journey_refers_a_minor_to_the_cej_sector(
    chat: WebChat, client: httpx.AsyncClient, admin_headers: dict[str, str], lang: str
) -> None:
    await _consented(chat, lang)
    await chat.tap("menu.main.cej")
    assert "552,29" in chat.text() or "552.29" in chat.text()
    await chat.tap("check")
    await chat.tap("16_17")
    await chat.tap("job_seeker")
    await chat.tap("no_rqth")
    await chat.tap("not_said")
    await chat.say("Aulnat")
    await chat.tap("join")
    referrals = await _get(client, "/api/v1/referrals", admin_headers)
    assert [(r["theme"], r["role"], r["rule_id"]) for r in referrals] == [
        ("cej", "ml-cmv-cej-sector", "r-cej-minor")
    ]
    intakes = await _get(client, "/api/v1/intakes", admin_headers)
    assert intakes[0]["statuses"] == ["minor"]


@pytest.mark.parametrize("lang", LANGS)
async def test_aid_finder_lists_the_metropole_fund_and_refers(
    chat: WebChat, client: httpx.AsyncClient, admin_headers: dict[str, str], lang: str
) -> None:
    await _consented(chat, lang)
    await chat.tap("menu.main.aid")
    await chat.tap("general_support")
    await chat.tap("18_25")
    await chat.tap("french")
    await chat.say("clermont ferrand")
    await chat.skip_profile()
    assert "FMAJ" in chat.text() and "FLU" in chat.text()
    await chat.tap("contact")
    referrals = await _get(client, "/api/v1/referrals", admin_headers)
    assert [(r["role"], r["rule_id"]) for r in referrals] == [
        ("ml-cmv-social-aid-officer", "r-aid-faj-metropole")
    ]


async def _book_first_free(chat: WebChat, place: str = "perm-ml-hq") -> None:
    await chat.tap(f"appointment.place.{place}")
    await chat.tap(next(p for p in chat.payloads() if p.startswith("appointment.day.")))
    await chat.tap(next(p for p in chat.payloads() if p.startswith("appointment.time.")))
    await chat.tap("appointment.confirm.yes")


@pytest.mark.parametrize("lang", LANGS)
async def test_appointment_book_move_and_cancel(
    chat: WebChat, client: httpx.AsyncClient, admin_headers: dict[str, str], lang: str
) -> None:
    await _consented(chat, lang)
    await chat.tap("menu.main.appointment")
    await chat.tap("first_visit")
    await _book_first_free(chat)
    assert "✅" in chat.text()
    booked = await _get(client, "/api/v1/appointments", admin_headers)
    assert [(a["place_id"], a["status"]) for a in booked] == [("ml-hq", "booked")]

    await chat.tap("menu.main.appointment")
    first_id = booked[0]["id"]
    await chat.tap(f"appointment.mine.move.{first_id}")
    await _book_first_free(chat, "perm-bus-jaude")
    after_move = await _get(client, "/api/v1/appointments", admin_headers)
    assert sorted((a["place_id"], a["status"]) for a in after_move) == [
        ("bus-jaude", "booked"),
        ("ml-hq", "cancelled"),
    ]

    await chat.tap("menu.main.appointment")
    moved = next(a for a in after_move if a["status"] == "booked")
    await chat.tap(f"appointment.mine.cancel.{moved['id']}")
    final = await _get(client, "/api/v1/appointments", admin_headers)
    assert {a["status"] for a in final} == {"cancelled"}
