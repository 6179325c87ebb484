"""Chaos (issue 8), bounded: simulated people on the web chat of a real `relais serve`,
SIGKILLed at random moments and restarted, on SQLite and PostgreSQL.

Clients behave like the chat page: a failed request is retried with the same message id.
Some people do the housing journey (intake + referral), some book an appointment; a
conseiller answers every housing referral while the killing goes on, and the people
fetch that answer with `GET ...?after=cursor`. Afterwards, with the server up again:
no intake lost or doubled, no referral or booking doubled, every conversation answers,
every conseiller reply reached its person exactly once.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from storage import Database, TokenRepository
from support.chaos import Counters, Person, RestartableServer

HOUSING_PEOPLE = 8
BOOKING_PEOPLE = 4
# Each restart costs `relais serve` start-up (several seconds on a busy 2-core machine):
# two kills per database keep the test near 30 s. RELAIS_CHAOS_KILLS=20 for a long run.
KILLS = int(os.environ.get("RELAIS_CHAOS_KILLS", "2"))
SEED = int(os.environ.get("RELAIS_CHAOS_SEED", "8"))


async def _admin_token(database_url: str) -> str:
    db = Database(database_url)
    try:
        await db.upgrade()
        async with db.transaction() as session:
            return await TokenRepository(session).create("admin", name="chaos")
    finally:
        await db.dispose()


async def _housing(person: Person) -> None:
    await person.start(source=f"chaos-h{person.index}")
    await person.tap("entry.language.en")
    await person.tap("agree")
    await person.tap("menu.main.housing")
    await person.tap("own_rental")
    await person.tap("rent_arrears")
    await person.tap("18_25")
    await person.say("Clermont-Ferrand")
    await person.tap("low")
    await person.tap("job_seeker")
    await person.tap("contact")


async def _booking(person: Person) -> None:
    await person.start(source=f"chaos-b{person.index}")
    await person.tap("entry.language.en")
    await person.tap("agree")
    await person.tap("menu.main.appointment")
    await person.tap("first_visit")
    await person.tap_prefix("appointment.place.perm-")
    for attempt in range(6):
        await person.tap_prefix("appointment.day.", person.index + attempt)
        await person.tap_prefix("appointment.time.", person.index)
        await person.tap("appointment.confirm.yes")
        if "✅" in person.text():
            return
        # Someone else took that seat: the engine offers other days again.
        if not any(p.startswith("appointment.day.") for p in person.payloads()):
            break
    raise AssertionError(f"person {person.index} could not book: {person.text()}")


async def _killer(server: RestartableServer, rng: random.Random) -> None:
    """KILLS times: wait a random moment, SIGKILL, restart (always all of them)."""
    while server.kills < KILLS:
        await asyncio.sleep(rng.uniform(0.2, 1.5))
        await server.kill()
        await asyncio.sleep(rng.uniform(0.0, 0.3))
        await server.start()


async def _get(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[Any]:
    while True:
        try:
            response = await client.get(path, headers=headers, params={"limit": 500}, timeout=15)
            if response.status_code == 200:
                return list(response.json())
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)


async def _reply_once(
    client: httpx.AsyncClient, referral_id: int, text: str, headers: dict[str, str]
) -> None:
    """Answer a referral; after a failure, look before retrying (the API is not idempotent)."""
    url = f"/api/v1/referrals/{referral_id}"
    while True:
        try:
            response = await client.post(
                f"{url}/replies", json={"text": text}, headers=headers, timeout=15
            )
            if response.status_code == 201:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
        if any(m["body"] == text for m in await _get(client, f"{url}/messages", headers)):
            return


async def _await_reply(person: Person, text: str) -> None:
    deadline = time.monotonic() + 60
    while not any(text in m["text"] for m in person.later):
        assert time.monotonic() < deadline, f"person {person.index} never got {text!r}"
        await person.poll()
        await asyncio.sleep(0.1)


async def test_chaos_kill_9_under_load(database_url: str, tmp_path: Path) -> None:
    token = await _admin_token(database_url)
    headers = {"Authorization": f"Bearer {token}"}
    env = {
        **os.environ,
        "RELAIS_DATABASE_URL": database_url,
        "RELAIS_SECRET_KEY": "chaos-test",
        "RELAIS_SCHEDULER": "false",
    }
    server = RestartableServer(env, tmp_path)
    rng = random.Random(SEED)
    counters = Counters()
    started = time.monotonic()
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.base) as client:
            housing = [Person(i, client, counters) for i in range(HOUSING_PEOPLE)]
            booking = [Person(100 + i, client, counters) for i in range(BOOKING_PEOPLE)]
            killer = asyncio.create_task(_killer(server, rng))
            await asyncio.gather(*map(_housing, housing), *map(_booking, booking))

            intakes = await _get(client, "/api/v1/intakes", headers)
            intake_of = {i["source"]: i["id"] for i in intakes if i["theme"] == "housing"}
            referrals = await _get(client, "/api/v1/referrals", headers)
            referral_of = {r["intake_id"]: r["id"] for r in referrals}

            async def answered(person: Person) -> None:
                text = f"chaos reply {person.index}"
                referral = referral_of[intake_of[f"chaos-h{person.index}"]]
                await _reply_once(client, referral, text, headers)
                await _await_reply(person, text)

            await asyncio.gather(*map(answered, housing))
            await killer
            assert server.kills == KILLS

            # Every conversation answers after the chaos.
            for person in housing + booking:
                await person.say("/menu")
                assert "menu.main.housing" in person.payloads(), person.text()

            intakes = await _get(client, "/api/v1/intakes", headers)
            referrals = await _get(client, "/api/v1/referrals", headers)
            appointments = await _get(client, "/api/v1/appointments", headers)
    finally:
        server.stop()

    housing_intakes = Counter(i["source"] for i in intakes if i["theme"] == "housing")
    assert housing_intakes == Counter(
        f"chaos-h{p.index}" for p in housing
    )  # none lost, none doubled
    per_intake = Counter(r["intake_id"] for r in referrals)
    assert all(count == 1 for count in per_intake.values()), per_intake
    journey_referrals = [r for r in referrals if r["reason"] == "journey"]
    assert len(journey_referrals) == HOUSING_PEOPLE
    booked = [a for a in appointments if a["status"] == "booked"]
    assert len(booked) == BOOKING_PEOPLE
    for person in housing:
        received = [m for m in person.later if f"chaos reply {person.index}" in m["text"]]
        assert len(received) == 1, (person.index, person.later)

    print(
        f"\nchaos[{database_url.split(':')[0]}] seed={SEED} kills={server.kills} "
        f"starts={server.starts} people={HOUSING_PEOPLE + BOOKING_PEOPLE} "
        f"messages={sum(p.sent for p in housing + booking)} requests={counters.requests} "
        f"retried={counters.failures} intakes={sum(housing_intakes.values())} "
        f"referrals={len(journey_referrals)} bookings={len(booked)} "
        f"replies_delivered_once={HOUSING_PEOPLE} seconds={time.monotonic() - started:.1f}"
    )
