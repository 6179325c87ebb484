"""A referral in plain French (GET /api/v1/referrals/{id}/readable) and the CSV export of
referrals (GET /api/v1/exports/referrals): labels from the French catalog and names from
the directory, never the codes; the coded API is unchanged; scoping holds; an update by
the person and a linked request are shown. Through the real app and web chat."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
from fastapi import FastAPI

from api.labels import FACT_NAMES, SIGNALS
from conversations.i18n import Catalogs
from storage.tokens import TokenRepository
from support.webchat import WebChat

FR = Catalogs()
STREET_LABEL = "Outside, in a car, a squat, or nowhere tonight"


def fr(msgid: str) -> str:
    return FR.gettext("fr", msgid)


async def _housing_from_the_street(chat: WebChat, lang: str) -> None:
    await chat.start()
    await chat.tap(f"entry.language.{lang}")
    await chat.tap("agree")
    await _journey(chat)


async def _journey(chat: WebChat) -> None:
    await chat.tap("menu.main.housing")
    await chat.tap("street")
    for _ in range(30):
        offered = [p for p in chat.payloads() if not p.startswith("nav.")]
        if any(p.endswith(".contact") for p in offered):
            await chat.tap("contact")
            return
        preferred = [p for p in offered if p.endswith((".18_25", ".low", ".not_said"))]
        if preferred:
            await chat.tap(preferred[0])
        elif offered:
            await chat.tap(offered[0])
        else:
            await chat.say("Clermont-Ferrand")
    raise AssertionError("no contact offered")


async def _get(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> Any:
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _housing_referral(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    found = await _get(client, "/api/v1/referrals?theme=housing", headers)
    return int(max(r["id"] for r in found))


async def test_readable_referral_has_labels_names_and_cards(
    chat: WebChat, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await _housing_from_the_street(chat, "fa_AF")
    referral_id = await _housing_referral(client, admin_headers)

    coded = await _get(client, f"/api/v1/referrals/{referral_id}", admin_headers)
    readable = await _get(client, f"/api/v1/referrals/{referral_id}/readable", admin_headers)

    assert (coded["structure"], coded["role"], coded["lang"]) == (
        "ml-cmv",
        "ml-cmv-housing-referent",
        "fa_AF",
    )
    assert readable["structure"] == "Mission Locale Clermont Métropole et Volcans"
    assert readable["queue"] == fr("Référente logement")
    facts = {f["label"]: f["value"] for f in readable["facts"]}
    assert facts[fr(FACT_NAMES["housing_situation"])] == fr(STREET_LABEL)
    assert facts[fr(FACT_NAMES["age_band"])] == fr("18 to 25")
    assert facts[fr(FACT_NAMES["signal"])] == fr(SIGNALS["homeless_tonight"])
    siao = next(c for c in readable["services"] if c["phone"] == "115")
    assert siao["name"].startswith("SIAO du Puy-de-Dôme")
    assert readable["language"]["native"] == "دری"
    assert readable["language"]["reads_french"] is False
    flat = repr(readable)
    for code in ("ml-cmv", "housing_situation", "street'", "18_25", "siao-63-115", "fa_AF"):
        assert code not in flat


async def test_a_conseiller_of_another_structure_cannot_read_it(
    app: FastAPI, chat: WebChat, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await _housing_from_the_street(chat, "fr")
    referral_id = await _housing_referral(client, admin_headers)
    async with app.state.services.db.transaction() as session:
        other = await TokenRepository(session).create("conseiller", structure="cecler")
    answer = await client.get(
        f"/api/v1/referrals/{referral_id}/readable",
        headers={"Authorization": f"Bearer {other}"},
    )
    assert answer.status_code == 404


async def test_an_emergency_and_the_housing_request_are_linked_and_shown(
    chat: WebChat, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await _housing_from_the_street(chat, "fr")
    referral_id = await _housing_referral(client, admin_headers)
    readable = await _get(client, f"/api/v1/referrals/{referral_id}/readable", admin_headers)
    assert [link["theme"] for link in readable["linked"]] == [fr("Emergency")]
    assert readable["language"]["reads_french"] is True


async def test_a_second_request_is_shown_in_the_history(
    chat: WebChat, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await _housing_from_the_street(chat, "fr")
    await _journey(chat)
    housing = await _get(client, "/api/v1/referrals?theme=housing", admin_headers)
    assert len(housing) == 1
    readable = await _get(client, f"/api/v1/referrals/{housing[0]['id']}/readable", admin_headers)
    [update] = readable["history"]
    assert update["urgency_to"] == fr("Urgent")
    assert fr(FACT_NAMES["housing_situation"]) in update["facts"]


async def test_csv_export_renders_labels_and_names(
    chat: WebChat, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await _housing_from_the_street(chat, "fa_AF")
    answer = await client.get("/api/v1/exports/referrals?theme=housing", headers=admin_headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    header, *rows = list(csv.reader(io.StringIO(answer.text, newline="")))
    assert header[2] == fr("Theme") and header[6] == fr("Structure")
    [row] = rows
    assert row[6] == "Mission Locale Clermont Métropole et Volcans"
    assert row[7] == fr("Référente logement")
    assert fr(STREET_LABEL) in row[10]
    for code in ("ml-cmv", "housing_situation", "18_25", "fa_AF", "homeless_tonight"):
        assert code not in answer.text
