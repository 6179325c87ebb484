"""Writes that touch the whole deployment are an admin's (issue 20): closing every place,
announcing a bus stop to the young people, withdrawing an opening or a closure an admin
made. A conseiller publishes openings of their structure's services and closes (and
reopens) the places only their structure serves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from support.structures import B_PLACE, staff

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)


def _period(days: int, hours: int = 2) -> dict[str, str]:
    start = SOON + timedelta(days=days)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=hours)).isoformat()}


def _opening(kind: str = "one_off", **fields: Any) -> dict[str, Any]:
    body = {"kind": kind, "name": "Stand", "service": "ml-cmv-welcome", **_period(1)}
    return {**body, **fields}


async def test_closing_every_place_is_an_admins_and_a_closure_can_be_removed(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    a = (await staff(app, "conseiller", "ml-cmv")).headers
    refused = await client.post("/api/v1/closures", json=_period(1, 24 * 62), headers=a)
    assert refused.status_code == 403, refused.text
    everywhere = await client.post("/api/v1/closures", json=_period(1, 24), headers=admin_headers)
    assert everywhere.status_code == 201
    closure = everywhere.json()["id"]
    # A sees the closure that concerns their places, but may not remove an admin's.
    assert [c["id"] for c in (await client.get("/api/v1/closures", headers=a)).json()] == [closure]
    assert (await client.delete(f"/api/v1/closures/{closure}", headers=a)).status_code == 403
    assert (
        await client.delete(f"/api/v1/closures/{closure}", headers=admin_headers)
    ).status_code == 204
    assert (
        await client.delete(f"/api/v1/closures/{closure}", headers=admin_headers)
    ).status_code == 404
    assert (await client.get("/api/v1/closures", headers=admin_headers)).json() == []


async def test_a_conseiller_closes_only_the_places_their_structure_alone_serves(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    a = (await staff(app, "conseiller", "ml-cmv")).headers
    ours = await client.post(
        "/api/v1/closures", json={"place_id": "ml-hq", **_period(2, 24)}, headers=a
    )
    assert ours.status_code == 201, ours.text
    shared = {"place_id": "agir63-office", **_period(2, 24)}  # CéCler's office, ML's permanence
    assert (await client.post("/api/v1/closures", json=shared, headers=a)).status_code == 403
    theirs = {"place_id": B_PLACE, **_period(2, 24)}
    assert (await client.post("/api/v1/closures", json=theirs, headers=a)).status_code == 404
    unknown = {"place_id": "nowhere", **_period(2, 24)}
    assert (await client.post("/api/v1/closures", json=unknown, headers=a)).status_code == 404
    removed = await client.delete(f"/api/v1/closures/{ours.json()['id']}", headers=a)
    assert removed.status_code == 204


async def test_an_opening_an_admin_made_is_withdrawn_by_an_admin_only(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    a = (await staff(app, "conseiller", "ml-cmv")).headers
    colleague = (await staff(app, "conseiller", "ml-cmv", name="Ben")).headers
    by_admin = await client.post("/api/v1/openings", json=_opening(), headers=admin_headers)
    assert by_admin.status_code == 201
    admins = by_admin.json()["id"]
    assert (await client.delete(f"/api/v1/openings/{admins}", headers=a)).status_code == 403
    mine = await client.post("/api/v1/openings", json=_opening(name="Mine"), headers=a)
    assert mine.status_code == 201, mine.text
    listed = (await client.get("/api/v1/openings", headers=a)).json()
    assert sorted(o["id"] for o in listed) == sorted([admins, mine.json()["id"]])
    # A colleague of the same structure may withdraw it; then it is gone.
    withdrawn = await client.delete(f"/api/v1/openings/{mine.json()['id']}", headers=colleague)
    assert withdrawn.status_code == 204
    assert (
        await client.delete(f"/api/v1/openings/{admins}", headers=admin_headers)
    ).status_code == 204


async def test_a_conseiller_publishes_for_their_services_and_never_announces(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    a = (await staff(app, "conseiller", "ml-cmv")).headers
    stop = _opening("bus_stop", service="ml-milo-machine", territory="clermont-auvergne-metropole")
    announced = await client.post("/api/v1/openings", json=stop, headers=a)
    assert announced.status_code == 403, announced.text
    quiet = await client.post("/api/v1/openings", json={**stop, "announce": False}, headers=a)
    assert quiet.status_code == 201 and quiet.json()["announced_at"] is None
    for refused in (
        _opening(service="cecler-workshops"),  # another structure's service
        _opening(service="not-in-the-directory"),
        _opening(place_id="maison-cesam"),  # a place only CéCler serves
    ):
        answer = await client.post("/api/v1/openings", json=refused, headers=a)
        assert answer.status_code == 403, (refused, answer.text)
    by_admin = await client.post("/api/v1/openings", json=stop, headers=admin_headers)
    assert by_admin.status_code == 201 and by_admin.json()["announced_at"] is not None
