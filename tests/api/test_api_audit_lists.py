"""Reading a list of cases leaves an audit entry with the ids it returned (issue 20):
intakes, referrals, appointments, a day's agenda, a place's feed, and the indicators'
CSV export."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from support.structures import B_PLACE, b_world


async def _last(
    client: httpx.AsyncClient, admin: dict[str, str], resource: str, actor: int
) -> dict[str, Any]:
    entries = (
        await client.get(
            "/api/v1/audit", params={"resource": resource, "actor_id": actor}, headers=admin
        )
    ).json()
    assert entries, f"no audit entry for {resource}"
    return dict(entries[0])


async def test_list_reads_are_audited_with_the_ids_returned(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    world = await b_world(app, client)
    b, actor = world.b.headers, world.b.id

    assert (await client.get("/api/v1/intakes", headers=b)).status_code == 200
    entry = await _last(client, admin_headers, "intake", actor)
    assert (entry["action"], entry["detail"]["ids"]) == ("list", [world.intake])

    assert (await client.get("/api/v1/referrals", headers=b)).status_code == 200
    entry = await _last(client, admin_headers, "referral", actor)
    assert (entry["action"], entry["detail"]["ids"]) == ("list", [world.referral])

    assert (await client.get("/api/v1/appointments", headers=b)).status_code == 200
    entry = await _last(client, admin_headers, "appointment", actor)
    assert (entry["action"], entry["detail"]["ids"]) == ("list", [world.appointment])

    day = world.appointment_day
    assert (await client.get(f"/api/v1/agenda?day={day}", headers=b)).status_code == 200
    entry = await _last(client, admin_headers, "appointment", actor)
    assert entry["action"] == "agenda"
    assert entry["detail"] == {"day": day, "ids": [world.appointment]}

    feed = await client.get(f"/api/v1/places/{B_PLACE}/agenda.ics", headers=b)
    assert feed.status_code == 200 and f"Relais #{world.appointment}" in feed.text
    entry = await _last(client, admin_headers, "place", actor)
    assert entry["detail"] == {"place": B_PLACE, "ids": [world.appointment]}

    csv = await client.get("/api/v1/stats?format=csv", headers=b)
    assert csv.status_code == 200
    entry = await _last(client, admin_headers, "stats", actor)
    assert (entry["action"], entry["detail"]["format"]) == ("export", "csv")
