"""Scale out (issue 15): nginx from Debian, round robin without stickiness, in front of
three `relais serve` instances on one PostgreSQL, every clock running.

1. Limits are shared: one person sending 150 messages as fast as possible gets no more
   accepted through two instances than through one.
2. Under load (people on their journeys, a conseiller answering), one instance is
   SIGKILLed and restarted, then another is SIGKILLed. Clients retry like the chat page
   (same message id). Then: every acknowledged message is stored once and in the order
   sent, one intake and one referral per journey, every conseiller reply reaches its
   person exactly once, every new referral is announced (e-mail).
3. Due reminders, with the three clocks racing for them: each is told exactly once.
4. SIGTERM (graceful shutdown) of an instance under load: no client sees an error.

Bounded and loopback only; about a minute on the 2-core CI machine.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from storage import Database, TokenRepository
from storage.models import Notification
from support.balancer import nginx, nginx_binary
from support.chaos import Counters, Person, RestartableServer
from support.local_servers import Mailbox, smtp_sink
from support.postgres import fresh_postgres_database
from support.scale import (
    acknowledged_in_order,
    booking,
    flood,
    housing,
    make_reminders_due,
    wait_reminders_sent,
)

pytestmark = pytest.mark.postgres
SECRET = "balancer-test"
HOUSING_PEOPLE, BOOKING_PEOPLE, FLOOD = 9, 3, 150
# The per-person bucket of the web chat (bot/ratelimit.py, Limits.per_person).
PERSON_BURST, PERSON_RATE = 60, 5


async def _get(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[dict]:
    while True:
        try:
            response = await client.get(path, headers=headers, params={"limit": 500}, timeout=15)
            if response.status_code == 200:
                return list(response.json())
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.3)


async def _reply_once(client: httpx.AsyncClient, referral: int, text: str, headers: dict) -> None:
    """A conseiller's reply through the balancer; after a failure, look before retrying."""
    url = f"/api/v1/referrals/{referral}"
    while True:
        try:
            response = await client.post(f"{url}/replies", json={"text": text}, headers=headers)
            if response.status_code == 201:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.3)
        if any(m["body"] == text for m in await _get(client, f"{url}/messages", headers)):
            return


async def _until_received(person: Person, needle: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not any(needle in m["text"] for m in person.later):
        assert time.monotonic() < deadline, f"person {person.index} never got {needle!r}"
        await asyncio.sleep(0.5)
        await person.poll()


async def _chaos(servers: list[RestartableServer]) -> None:
    """SIGKILL one instance, restart it, then SIGKILL another (it stays down a while)."""
    await asyncio.sleep(1.0)
    await servers[0].kill()
    await asyncio.sleep(0.5)
    await servers[0].start()
    await asyncio.sleep(0.5)
    await servers[1].kill()


async def _drain_under_load(client: httpx.AsyncClient, server: RestartableServer) -> Counters:
    """People keep talking while one instance is stopped with SIGTERM."""
    counters = Counters()
    people = [Person(500 + i, client, counters) for i in range(4)]
    for person in people:
        await person.start(source="drain")
    stop = asyncio.Event()

    async def talk(person: Person) -> None:
        # At a person's pace (the per-person bucket refills 5 a second), so a refusal
        # here could only come from the drain.
        while not stop.is_set():
            await person.say("/menu")
            await asyncio.sleep(0.3)

    talking = [asyncio.create_task(talk(p)) for p in people]
    await asyncio.sleep(0.5)
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGTERM)
    code = await asyncio.to_thread(server.process.wait, 30)
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.gather(*talking)
    # uvicorn shuts down, then re-raises the signal it caught: -15 is a clean exit.
    assert code in (0, -signal.SIGTERM), f"relais serve exited with {code} on SIGTERM"
    return counters


async def test_three_instances_behind_nginx(tmp_path: Path) -> None:
    nginx_binary()
    started = time.monotonic()
    async with fresh_postgres_database() as url, smtp_sink() as (mailbox, smtp_port):
        db = Database(url)
        await db.upgrade()
        async with db.transaction() as session:
            token = await TokenRepository(session).create("admin", name="balancer")
        headers = {"Authorization": f"Bearer {token}"}
        env = {
            **os.environ,
            "RELAIS_DATABASE_URL": url,
            "RELAIS_SECRET_KEY": SECRET,
            "RELAIS_SCHEDULER": "true",
            "RELAIS_REMIND_EVERY_SECONDS": "1",
            "RELAIS_NOTIFY_EVERY_SECONDS": "1",
            "RELAIS_SMTP_PORT": str(smtp_port),
        }
        servers = []
        for i in range(3):
            (tmp_path / f"i{i}").mkdir()
            servers.append(RestartableServer(env, tmp_path / f"i{i}", tmp_path / f"i{i}.log"))
        try:
            await asyncio.gather(*(server.start() for server in servers))
            ports = [server.port for server in servers]
            fronts = [ports, ports[:1], ports[:2]]
            with nginx(tmp_path / "nginx", fronts) as (front, one, two):
                async with (
                    httpx.AsyncClient(base_url=one) as via_one,
                    httpx.AsyncClient(base_url=two) as via_two,
                ):
                    alone, shared = await flood(via_one, FLOOD), await flood(via_two, FLOOD)
                phases = [time.monotonic() - started]
                async with httpx.AsyncClient(base_url=front, timeout=15) as client:
                    report = await _load_and_chaos(client, servers, db, headers, mailbox)
                    phases.append(time.monotonic() - started)
                    await servers[1].start()
                    drained = await _drain_under_load(client, servers[2])
                    phases.append(time.monotonic() - started)
        finally:
            for server in servers:
                server.stop()
            await db.dispose()

    # 1. Limits shared: no more accepted through two instances than through one.
    for run in (alone, shared):
        assert run.other == 0 and run.refused > 0, run
        assert run.accepted <= PERSON_BURST + PERSON_RATE * run.seconds + 1, run
    # Per-process buckets would accept about twice the burst through two instances.
    extra = PERSON_RATE * max(0.0, shared.seconds - alone.seconds) + 3
    assert shared.accepted <= alone.accepted + extra, (alone, shared)
    # 4. Graceful shutdown: the balancer moved the people to the other instances.
    assert drained.failures == 0, drained
    print(
        f"\nbalancer: flood one instance {alone.accepted}/{FLOOD} accepted in "
        f"{alone.seconds:.1f}s, two instances {shared.accepted}/{FLOOD} in "
        f"{shared.seconds:.1f}s; {report}; drain requests={drained.requests} failures=0; "
        f"phases at {[round(p) for p in phases]}s, total {time.monotonic() - started:.0f}s"
    )


async def _load_and_chaos(
    client: httpx.AsyncClient,
    servers: list[RestartableServer],
    db: Database,
    headers: dict[str, str],
    mailbox: Mailbox,
) -> str:
    counters = Counters()
    housing_people = [Person(i, client, counters) for i in range(HOUSING_PEOPLE)]
    booking_people = [Person(100 + i, client, counters) for i in range(BOOKING_PEOPLE)]
    chaos = asyncio.create_task(_chaos(servers))
    await asyncio.gather(*map(housing, housing_people), *map(booking, booking_people))

    intakes = await _get(client, "/api/v1/intakes", headers)
    intake_of = {i["source"]: i["id"] for i in intakes if i["theme"] == "housing"}
    referrals = await _get(client, "/api/v1/referrals", headers)
    referral_of = {r["intake_id"]: r["id"] for r in referrals}

    async def answered(person: Person) -> None:
        text = f"scale reply {person.index}"
        await _reply_once(client, referral_of[intake_of[f"scale-h{person.index}"]], text, headers)
        await _until_received(person, text)

    await asyncio.gather(*map(answered, housing_people))
    await chaos
    assert sum(server.kills for server in servers) == 2

    # No acknowledged message lost or doubled, per-person order kept.
    people = housing_people + booking_people
    checked = await acknowledged_in_order(db, SECRET.encode(), people)
    # No intake or referral doubled; every reply delivered exactly once.
    sources = Counter(i["source"] for i in await _get(client, "/api/v1/intakes", headers))
    assert all(sources[f"scale-h{p.index}"] == 1 for p in housing_people), sources
    referrals = await _get(client, "/api/v1/referrals", headers)
    assert Counter(r["intake_id"] for r in referrals).most_common(1)[0][1] == 1
    assert sum(1 for r in referrals if r["reason"] == "journey") == HOUSING_PEOPLE
    for person in housing_people:
        got = [m for m in person.later if f"scale reply {person.index}" in m["text"]]
        assert len(got) == 1, (person.index, person.later)

    # 3. Reminders: due now, three clocks racing; each is told exactly once.
    planned = await make_reminders_due(db)
    statuses = await wait_reminders_sent(db)
    assert statuses.get("pending", 0) == 0 and statuses["sent"] == sum(planned.values())
    await asyncio.gather(*(_until_received(p, "Reminder") for p in booking_people))
    await asyncio.sleep(1.5)  # anything doubled would have arrived by now
    await asyncio.gather(*(p.poll() for p in booking_people))
    told = sum(1 for p in booking_people for m in p.later if m["text"].startswith("Reminder"))
    assert told == sum(planned.values()), (told, planned)

    # Every new referral announced by e-mail (at least once: a kill between sending and
    # recording would send one twice, never lose one).
    deadline = time.monotonic() + 30
    async with db.transaction() as session:
        wanted = set(
            (
                await session.scalars(
                    select(Notification.referral_id).where(
                        Notification.kind == "email", Notification.event == "new_referral"
                    )
                )
            ).all()
        )
    assert wanted, "no referral was announced by e-mail"
    while True:
        announced = {
            int(str(m["Subject"]).rsplit("#", 1)[1])
            for m in mailbox.messages
            if "new_referral" in str(m["Subject"])
        }
        if wanted <= announced or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert wanted <= announced, wanted - announced
    return (
        f"load people={len(people)} messages={checked} requests={counters.requests} "
        f"retried={counters.failures} intakes={HOUSING_PEOPLE} referrals={len(referrals)} "
        f"reminders={told} emails={len(mailbox.messages)}"
    )
