"""Reply templates admins write: a wording per shipped language, managed through the API
with precise refusals; sent in the person's language, refused (409) when it has none,
never sent in another one. The four fixed templates keep working. Real app and database."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from storage import ConversationRepository, Database, ReferralRepository, TokenRepository
from storage.models import OutboxMessage

DOCUMENTS = {"fr": "Apportez vos papiers.", "en": "Bring your papers."}


async def _conseiller(db: Database) -> dict[str, str]:
    async with db.transaction() as session:
        token = await TokenRepository(session).create("conseiller", "Awa", "ml-cmv")
    return {"Authorization": f"Bearer {token}"}


async def _referral_of_a_dari_speaker(db: Database) -> int:
    async with db.transaction() as session:
        chat = await ConversationRepository(session).create("d" * 64, "web", "fa_AF", {})
        referral = await ReferralRepository(session).add(
            theme="housing", reason="journey", structure="ml-cmv", lang="fa_AF",
            conversation_id=chat.id,
        )  # fmt: skip
        return referral.id


async def _sent(db: Database) -> list[str]:
    async with db.transaction() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        return [row.body["text"] for row in rows]


async def test_admins_write_templates_with_precise_refusals(
    client: httpx.AsyncClient, app: FastAPI, admin_headers: dict[str, str]
) -> None:
    url = "/api/v1/templates/documents"
    body = {"title": "Documents", "texts": DOCUMENTS}
    made = await client.put(url, json=body, headers=admin_headers)
    assert made.status_code == 201
    assert made.json() == {
        "key": "documents",
        "title": "Documents",
        "fixed": False,
        "texts": DOCUMENTS,
    }
    replaced = await client.put(url, json={**body, "title": "Papiers"}, headers=admin_headers)
    assert (replaced.status_code, replaced.json()["title"]) == (200, "Papiers")

    unknown = await client.put(url, json={**body, "texts": {"xx": "?"}}, headers=admin_headers)
    assert (unknown.status_code, unknown.json()) == (422, {"detail": "not a shipped language: xx"})
    fixed = await client.put("/api/v1/templates/call_us", json=body, headers=admin_headers)
    assert (fixed.status_code, fixed.json()) == (
        409,
        {"detail": "a fixed template cannot be changed"},
    )
    awa = await _conseiller(app.state.services.db)
    assert (await client.put(url, json=body, headers=awa)).status_code == 403
    assert (
        await client.put("/api/v1/templates/Bad Key", json=body, headers=admin_headers)
    ).status_code == 422

    listed = (await client.get("/api/v1/templates", headers=awa)).json()
    keys = [t["key"] for t in listed]
    assert keys == ["appointment_confirmed", "bring_papers", "call_us", "we_tried", "documents"]
    assert listed[0]["fixed"] and {"fr", "fa_AF"} <= set(listed[0]["texts"])

    assert (await client.delete(url, headers=awa)).status_code == 403
    assert (await client.delete(url, headers=admin_headers)).status_code == 204
    gone = await client.delete(url, headers=admin_headers)
    assert (gone.status_code, gone.json()) == (404, {"detail": "reply template not found"})


async def test_a_template_goes_only_in_the_person_s_language(
    client: httpx.AsyncClient, app: FastAPI, admin_headers: dict[str, str]
) -> None:
    db = app.state.services.db
    rid = await _referral_of_a_dari_speaker(db)
    awa = await _conseiller(db)
    body = {"title": "Documents", "texts": DOCUMENTS}
    await client.put("/api/v1/templates/documents", json=body, headers=admin_headers)
    replies = f"/api/v1/referrals/{rid}/replies"

    refused = await client.post(replies, json={"template": "documents"}, headers=awa)
    assert (refused.status_code, refused.json()) == (
        409, {"detail": "this reply template has no translation in the person's language (fa_AF)"},
    )  # fmt: skip
    missing = await client.post(replies, json={"template": "nothing"}, headers=awa)
    assert (missing.status_code, missing.json()) == (404, {"detail": "reply template not found"})
    assert await _sent(db) == []

    dari = {**DOCUMENTS, "fa_AF": "اسناد خود را بیاورید."}
    await client.put(
        "/api/v1/templates/documents", json={**body, "texts": dari}, headers=admin_headers
    )
    sent = await client.post(replies, json={"template": "documents"}, headers=awa)
    assert (sent.status_code, sent.json()["template"]) == (201, "documents")
    fixed = await client.post(replies, json={"template": "we_tried"}, headers=awa)
    assert fixed.status_code == 201
    texts = await _sent(db)
    assert texts[0] == dari["fa_AF"]
    assert texts[1] == app.state.services.engine.catalogs.gettext(
        "fa_AF", "We tried to reach you. Write to us here when you can."
    )
