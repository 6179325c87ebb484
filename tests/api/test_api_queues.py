"""Queues (teams) over HTTP: admins add them, put conseillers in them and set their load,
with precise refusals; a conseiller sees their structure's queues and filters the list by
one; the inbox's live feed. On the real app and database."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from storage import Database, ReferralRepository, TokenRepository

HOUSING = "ml-cmv-housing-referent"


async def _conseiller(db: Database, structure: str = "ml-cmv") -> tuple[int, dict[str, str]]:
    async with db.transaction() as session:
        tokens = TokenRepository(session)
        token = await tokens.create("conseiller", name="Awa", structure=structure)
        account = await tokens.verify(token)
        assert account is not None
        return account.id, {"Authorization": f"Bearer {token}"}


async def _referral(db: Database, role: str, urgency: str = "normal") -> int:
    async with db.transaction() as session:
        referral = await ReferralRepository(session).add(
            theme="housing", reason="journey", structure="ml-cmv", role=role,
            urgency=urgency, lang="fr",
        )  # fmt: skip
        return referral.id


async def test_admins_manage_queues_with_precise_refusals(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    db = app.state.services.db
    awa, awa_headers = await _conseiller(db)
    stranger, _ = await _conseiller(db, "cecler")
    night = {"id": "ml-cmv-night-team", "structure": "ml-cmv", "name": "Équipe du soir"}
    made = await client.post("/api/v1/queues", json=night, headers=admin_headers)
    assert made.status_code == 201
    assert made.json() == {**night, "from_directory": False}

    refusals = [
        (night, admin_headers, 409, "a queue with this id already exists"),
        ({**night, "id": HOUSING}, admin_headers, 409, "a queue with this id already exists"),
        ({**night, "id": "x", "structure": "nowhere"}, admin_headers, 404, "structure not found"),
        ({**night, "id": "other-team"}, awa_headers, 403, "admin only"),
    ]  # fmt: skip
    for body, headers, code, detail in refusals:
        refused = await client.post("/api/v1/queues", json=body, headers=headers)
        assert (refused.status_code, refused.json()) == (code, {"detail": detail})
    bad_id = await client.post(
        "/api/v1/queues", json={**night, "id": "Bad Id"}, headers=admin_headers
    )
    assert bad_id.status_code == 422

    seen = (await client.get("/api/v1/queues", headers=awa_headers)).json()
    assert {"id": HOUSING, "structure": "ml-cmv", "name": HOUSING, "from_directory": True} in seen
    assert {q["structure"] for q in seen} == {"ml-cmv"}
    assert night["id"] in {q["id"] for q in seen}

    members = f"/api/v1/queues/{night['id']}/members"
    assert (await client.put(f"{members}/{awa}", headers=admin_headers)).status_code == 204
    other = await client.put(f"{members}/{stranger}", headers=admin_headers)
    assert (other.status_code, other.json()["detail"]) == (
        409, "this conseiller belongs to another structure",
    )  # fmt: skip
    assert (await client.put(f"{members}/99999", headers=admin_headers)).status_code == 404
    assert (await client.put(f"{members}/{awa}", headers=awa_headers)).status_code == 403
    loaded = await client.put(
        f"/api/v1/tokens/{awa}/load", json={"max_open": 3}, headers=admin_headers
    )
    assert loaded.status_code == 204
    negative = await client.put(
        f"/api/v1/tokens/{awa}/load", json={"max_open": -1}, headers=admin_headers
    )
    assert negative.status_code == 422
    listed = (await client.get(members, headers=awa_headers)).json()
    assert listed == [
        {"id": awa, "name": "Awa", "on_duty": False, "max_open": 3, "open_referrals": 0}
    ]
    me = (await client.get("/api/v1/me", headers=awa_headers)).json()
    assert me["queues"] == [night["id"]]

    patched = await client.patch(
        f"/api/v1/tokens/{awa}", json={"queues": ["cecler-team"]}, headers=admin_headers
    )
    assert (patched.status_code, patched.json()["detail"]) == (
        404, "queue not found in the account's structure: cecler-team",
    )  # fmt: skip
    own = await client.patch(f"/api/v1/tokens/{awa}", json={"queues": []}, headers=awa_headers)
    assert own.status_code == 403

    directory_queue = await client.delete(f"/api/v1/queues/{HOUSING}", headers=admin_headers)
    assert directory_queue.status_code == 409
    gone = await client.delete(f"/api/v1/queues/{night['id']}", headers=admin_headers)
    assert gone.status_code == 204
    assert (await client.get("/api/v1/me", headers=awa_headers)).json()["queues"] == []
    assert (
        await client.delete(f"/api/v1/queues/{night['id']}", headers=admin_headers)
    ).status_code == 404
    assert (await client.delete(f"{members}/{awa}", headers=admin_headers)).status_code == 404


async def test_my_team_filter_and_the_live_feed(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    db = app.state.services.db
    awa, awa_headers = await _conseiller(db)
    await client.put(f"/api/v1/queues/{HOUSING}/members/{awa}", headers=admin_headers)
    before = (await client.get("/api/v1/inbox/changes", headers=awa_headers)).json()
    housing = await _referral(db, HOUSING, urgency="urgent")
    cej = await _referral(db, "ml-cmv-cej-sector")

    team = await client.get("/api/v1/referrals", params={"queue": HOUSING}, headers=awa_headers)
    assert [r["id"] for r in team.json()] == [housing]

    url = "/api/v1/inbox/changes"
    everything = (
        await client.get(url, params={"since": before["latest"]}, headers=awa_headers)
    ).json()
    assert [r["id"] for r in everything["referrals"]] == [housing, cej]
    assert (everything["latest"], everything["urgent_waiting"]) == (cej, 1)
    mine = await client.get(
        url, params={"since": before["latest"], "my_queues": "true"}, headers=awa_headers
    )
    assert [r["id"] for r in mine.json()["referrals"]] == [housing]
    assert (mine.json()["latest"], mine.json()["urgent_waiting"]) == (cej, 1)  # scope's cursor
    caught_up = (await client.get(url, params={"since": cej}, headers=awa_headers)).json()
    assert caught_up["referrals"] == []
    _, elsewhere = await _conseiller(db, "cecler")
    assert (await client.get(url, headers=elsewhere)).json()["referrals"] == []
