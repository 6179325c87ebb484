"""The referral workflow over HTTP: assign, transfer, change of status and close, with
their refusals (404 for what a caller may not see, 409 for a state that does not allow
it) and their audit entries; on the real app and database."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from storage import Database, ReferralRepository, TokenRepository


async def _referral(db: Database, structure: str, status: str = "new") -> int:
    async with db.transaction() as session:
        referral = await ReferralRepository(session).add(
            theme="housing", reason="journey", structure=structure, status=status, lang="fr"
        )
        return referral.id


async def _conseiller(db: Database, structure: str) -> tuple[int, dict[str, str]]:
    async with db.transaction() as session:
        tokens = TokenRepository(session)
        token = await tokens.create("conseiller", name="Awa", structure=structure)
        account = await tokens.verify(token)
        assert account is not None
        return account.id, {"Authorization": f"Bearer {token}"}


async def _audit(client: httpx.AsyncClient, admin: dict[str, str], rid: int) -> list[Any]:
    entries = (await client.get(f"/api/v1/audit?resource_id={rid}", headers=admin)).json()
    return [(e["action"], e["detail"]) for e in reversed(entries) if e["resource"] == "referral"]


async def test_assign_to_an_active_conseiller_of_the_structure(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    db = app.state.services.db
    rid = await _referral(db, "ml-cmv")
    me, mine = await _conseiller(db, "ml-cmv")
    colleague, _ = await _conseiller(db, "ml-cmv")
    stranger, _ = await _conseiller(db, "cecler")
    url = f"/api/v1/referrals/{rid}/assign"
    for target in (stranger, 99_999):
        refused = await client.post(url, json={"conseiller_id": target}, headers=mine)
        assert refused.status_code == 404
        assert refused.json() == {
            "detail": "no active conseiller with this id in the referral's structure"
        }
    assigned = await client.post(url, json={"conseiller_id": colleague}, headers=mine)
    assert assigned.status_code == 200
    body = assigned.json()
    assert (body["assigned_to"], body["status"]) == (colleague, "claimed")
    assert body["claimed_at"] is not None
    assert await _audit(client, admin_headers, rid) == [("assign", {"to": colleague})]
    closed = await _referral(db, "ml-cmv", status="closed")
    again = await client.post(
        f"/api/v1/referrals/{closed}/assign", json={"conseiller_id": me}, headers=mine
    )
    assert (again.status_code, again.json()) == (409, {"detail": "referral is closed"})


async def test_transfer_makes_it_new_in_the_other_structure(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    db = app.state.services.db
    rid = await _referral(db, "ml-cmv")
    _, mine = await _conseiller(db, "ml-cmv")
    _, theirs = await _conseiller(db, "cecler")
    url = f"/api/v1/referrals/{rid}/transfer"
    assert (await client.post(f"/api/v1/referrals/{rid}/claim", headers=mine)).status_code == 200
    nowhere = await client.post(url, json={"structure": "nowhere"}, headers=mine)
    assert (nowhere.status_code, nowhere.json()) == (404, {"detail": "structure not found"})
    wrong_role = {"structure": "cecler", "role": "ml-cmv-cej-sector"}
    refused = await client.post(url, json=wrong_role, headers=mine)
    assert refused.json() == {"detail": "role not found in that structure"}
    moved = await client.post(
        url, json={"structure": "cecler", "role": "cecler-agir63-team"}, headers=mine
    )
    body = moved.json()
    assert (body["structure"], body["role"], body["status"]) == (
        "cecler",
        "cecler-agir63-team",
        "new",
    )
    assert body["assigned_to"] is None and body["claimed_at"] is None
    assert (await client.get(f"/api/v1/referrals/{rid}", headers=mine)).status_code == 404
    assert (await client.get(f"/api/v1/referrals/{rid}", headers=theirs)).status_code == 200
    assert [a for a, _ in await _audit(client, admin_headers, rid)] == ["claim", "transfer", "read"]
    assert (await _audit(client, admin_headers, rid))[1][1] == {"frm": "ml-cmv", "to": "cecler"}


async def test_status_moves_follow_the_transitions(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    db = app.state.services.db
    rid = await _referral(db, "ml-cmv")
    me, mine = await _conseiller(db, "ml-cmv")
    url = f"/api/v1/referrals/{rid}"

    async def move(body: dict[str, str], headers: dict[str, str] = mine) -> httpx.Response:
        return await client.patch(url, json=body, headers=headers)

    started = await move({"status": "in_progress"})
    assert (started.json()["status"], started.json()["assigned_to"]) == ("in_progress", me)
    back = await move({"status": "claimed"})
    assert back.status_code == 409
    assert back.json() == {"detail": "cannot go from in_progress to claimed"}
    closed = (await move({"status": "closed", "outcome": "housed"})).json()
    assert (closed["status"], closed["outcome"]) == ("closed", "housed")
    assert closed["closed_at"] is not None
    assert (await move({"status": "closed", "outcome": "other"})).status_code == 409
    reopened = (await move({"status": "in_progress"}, admin_headers)).json()
    assert (reopened["outcome"], reopened["closed_at"]) == (None, None)
    assert (await move({"status": "new"})).status_code == 422
    statuses = [d["to"] for a, d in await _audit(client, admin_headers, rid) if a == "status"]
    assert statuses == ["in_progress", "closed", "in_progress"]


async def test_an_admin_moving_an_unassigned_referral_does_not_take_it(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    rid = await _referral(app.state.services.db, "cecler")
    moved = await client.patch(
        f"/api/v1/referrals/{rid}", json={"status": "in_progress"}, headers=admin_headers
    )
    assert moved.status_code == 200 and moved.json()["assigned_to"] is None
