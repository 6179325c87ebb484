"""The bus kiosk's "met today" counter (bot/webchat/kiosk.py): a count per day and bus
stop, nothing else kept, capped per day, and shown in the year's indicators; on the real
app and database."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from sqlalchemy import inspect, select

from storage.kiosk import MAX_PER_DAY
from storage.model_casework import KioskEncounter
from storage.types import utcnow


def _today() -> str:
    return utcnow().astimezone(ZoneInfo("Europe/Paris")).date().isoformat()


async def test_each_tap_counts_one_at_its_stop(client: httpx.AsyncClient) -> None:
    for expected in (1, 2):
        tapped = await client.post("/webchat/kiosk/met", json={"place": "bus-jaude"})
        assert tapped.status_code == 200
        assert tapped.json() == {
            "day": _today(),
            "place": "bus-jaude",
            "count": expected,
            "counted": True,
        }
    shown = await client.get("/webchat/kiosk/met", params={"place": "bus-jaude"})
    assert shown.json()["count"] == 2
    elsewhere = await client.get("/webchat/kiosk/met", params={"place": "bus-les-vergnes"})
    assert elsewhere.json()["count"] == 0
    unknown_stop = await client.post("/webchat/kiosk/met", json={})
    assert (unknown_stop.json()["place"], unknown_stop.json()["count"]) == (None, 1)


async def test_only_a_bus_stop_of_the_directory_and_nothing_else(
    client: httpx.AsyncClient,
) -> None:
    not_a_stop = await client.post("/webchat/kiosk/met", json={"place": "ml-hq"})
    assert (not_a_stop.status_code, not_a_stop.json()) == (
        404,
        {"detail": "unknown bus stop: ml-hq"},
    )
    assert (await client.post("/webchat/kiosk/met", json={"place": "a b"})).status_code == 422
    extra = await client.post("/webchat/kiosk/met", json={"place": "bus-jaude", "name": "Ali"})
    assert extra.status_code == 422


async def test_the_table_keeps_a_number_per_day_and_place_only(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await client.post("/webchat/kiosk/met", json={"place": "bus-jaude"})
    async with app.state.services.db.engine.connect() as conn:
        columns = await conn.run_sync(
            lambda sync: {c["name"] for c in inspect(sync).get_columns("kiosk_encounters")}
        )
    assert columns == {"id", "day", "place", "count"}


async def test_a_day_stops_counting_at_the_cap(app: FastAPI, client: httpx.AsyncClient) -> None:
    await client.post("/webchat/kiosk/met", json={"place": "bus-jaude"})
    async with app.state.services.db.transaction() as session:
        row = (await session.scalars(select(KioskEncounter))).one()
        row.count = MAX_PER_DAY
    held = (await client.post("/webchat/kiosk/met", json={"place": "bus-jaude"})).json()
    assert (held["count"], held["counted"]) == (MAX_PER_DAY, False)


async def test_the_taps_show_in_the_year_s_indicators(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    for _ in range(3):
        await client.post("/webchat/kiosk/met", json={"place": "bus-jaude"})
    today = _today()
    year = {"year": today[:4]}
    figures = (await client.get("/api/v1/stats/yearly", params=year, headers=admin_headers)).json()
    assert figures["tables"]["kiosk_met"][today[:7]] == {"total": 3, "bus-jaude": 3}
