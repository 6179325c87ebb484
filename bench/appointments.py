"""Appointments benchmark (issue 6): book and remind 10,000 appointments with two worker
processes on one PostgreSQL, and check that nothing is doubled or lost.

    python -m bench.appointments --pg-url postgresql+asyncpg://postgres@127.0.0.1:5433/postgres

Booking: the two workers race for 10,000 seats (1,000 slots × 10) with 10,500 attempts;
the database must grant exactly 10,000. Reminders: one per appointment, due over 60 s;
both workers run the real reminder job (SKIP LOCKED claims) every half second; a
reminder is on time when sent within one minute of its due time. Merges the figures into
bench/results.json under "appointments".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from bot.pseudonyms import Pseudonymizer
from bot.reminders import send_due_reminders
from bot.runtime import Runtime
from conversations.directory import load_directory
from conversations.engine import Engine
from conversations.flows import load_flows
from conversations.i18n import Catalogs
from conversations.signals import SignalDetector
from storage import AppointmentRepository, Database
from storage.models import Appointment, Conversation, OutboxMessage, Reminder

RESULTS = Path(__file__).resolve().parent / "results.json"
SEATS, SLOTS, ATTEMPTS = 10_000, 1_000, 10_500
START = datetime(2031, 3, 3, 8, tzinfo=UTC)


def _slot(index: int) -> tuple[str, datetime]:
    starts = START + timedelta(minutes=30 * index)
    return f"bench:{starts:%Y%m%d%H%M}", starts


async def _book_worker(url: str, worker: int, first_conversation: int) -> int:
    db = Database(url, pool_size=10)
    semaphore = asyncio.Semaphore(10)
    won = 0

    async def attempt(n: int) -> None:
        nonlocal won
        key, starts = _slot(n % SLOTS)
        async with semaphore, db.transaction() as session:
            booked = await AppointmentRepository(session).book(
                conversation_id=first_conversation + n,
                slot_key=key,
                place_id="ml-hq",
                service="bench",
                starts_at=starts,
                ends_at=starts + timedelta(minutes=30),
                capacity=SEATS // SLOTS,
                lang="fr",
            )
            won += booked is not None

    try:
        await asyncio.gather(*(attempt(n) for n in range(worker, ATTEMPTS, 2)))
    finally:
        await db.dispose()
    return won


async def _remind_worker(url: str, until: float) -> int:
    db = Database(url, pool_size=4)
    engine = Engine(
        load_flows(), Catalogs(), load_directory(), SignalDetector(), ZoneInfo("Europe/Paris")
    )
    runtime = Runtime(db, engine, Pseudonymizer(b"bench-key"))
    sent = 0
    try:
        while time.time() < until:
            sent += await send_due_reminders(runtime, datetime.now(UTC))
            await asyncio.sleep(0.5)
    finally:
        await db.dispose()
    return sent


async def _prepare(url: str) -> int:
    db = Database(url)
    await db.upgrade()
    async with db.transaction() as session:
        rows = [
            {"person_key": f"{n:064d}", "channel": "web", "lang": "fr", "state": {}, "version": 0}
            for n in range(ATTEMPTS)
        ]
        now = datetime.now(UTC)
        for row in rows:
            row.update(created_at=now, updated_at=now, consent=True)
        await session.execute(insert(Conversation), rows)
        first = await session.scalar(select(func.min(Conversation.id)))
    await db.dispose()
    return int(first or 1)


async def _plan_reminders(url: str) -> None:
    """One reminder per appointment, due over the next 60 seconds."""
    db = Database(url)
    now = datetime.now(UTC)
    async with db.transaction() as session:
        ids = (await session.scalars(select(Appointment.id).order_by(Appointment.id))).all()
        rows = [
            {
                "appointment_id": appointment_id,
                "kind": "hours_before",
                "due_at": now + timedelta(seconds=5 + (i % 60)),
                "status": "pending",
            }
            for i, appointment_id in enumerate(ids)
        ]
        await session.execute(insert(Reminder), rows)
    await db.dispose()


async def _measure(url: str) -> dict[str, float | int]:
    db = Database(url)
    async with db.transaction() as session:
        reminders = (await session.execute(select(Reminder.due_at, Reminder.sent_at))).all()
        per_conversation = (
            await session.execute(
                select(OutboxMessage.conversation_id, func.count()).group_by(
                    OutboxMessage.conversation_id
                )
            )
        ).all()
        booked = await session.scalar(select(func.count()).select_from(Appointment))
    await db.dispose()
    on_time = sum(1 for due, sent in reminders if sent and sent - due <= timedelta(minutes=1))
    return {
        "appointments_booked": int(booked or 0),
        "reminders": len(reminders),
        "reminders_on_time_ratio": round(on_time / max(len(reminders), 1), 4),
        "duplicates": sum(count - 1 for _, count in per_conversation if count > 1),
        "lost": sum(1 for _, sent in reminders if sent is None),
    }


def _spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(RESULTS.parents[1])}
    return subprocess.Popen(
        [sys.executable, "-m", "bench.appointments", *args],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


async def _fresh_database(server_url: str) -> tuple[str, str]:
    server = make_url(server_url)
    name = f"bench_appointments_{secrets.token_hex(4)}"
    dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return server.set(database=name).render_as_string(hide_password=False), dsn


async def _drop(dsn: str, url: str) -> None:
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    await admin.close()


def run(server_url: str) -> dict[str, object]:
    url, dsn = asyncio.run(_fresh_database(server_url))
    try:
        first = asyncio.run(_prepare(url))
        began = time.perf_counter()
        bookers = [_spawn("--worker", "book", url, str(w), str(first)) for w in range(2)]
        won = sum(int(p.communicate()[0].strip()) for p in bookers)
        booking_seconds = time.perf_counter() - began
        asyncio.run(_plan_reminders(url))
        until = str(time.time() + 75)
        reminders = [_spawn("--worker", "remind", url, until) for _ in range(2)]
        sent = sum(int(p.communicate()[0].strip()) for p in reminders)
        figures = asyncio.run(_measure(url))
    finally:
        asyncio.run(_drop(dsn, url))
    return {
        "bookings_per_s": round(won / booking_seconds, 1),
        "booking_attempts": ATTEMPTS,
        "seats": SEATS,
        "bookings_granted": won,
        "reminders_sent_by_workers": sent,
        **figures,
        "workers": 2,
        "database": "postgresql",
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_version()}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg-url", default=os.environ.get("RELAIS_TEST_PG_URL", ""))
    parser.add_argument("--worker", nargs="+")
    args = parser.parse_args()
    if args.worker:
        kind, url, *rest = args.worker
        if kind == "book":
            print(asyncio.run(_book_worker(url, int(rest[0]), int(rest[1]))))
        else:
            print(asyncio.run(_remind_worker(url, float(rest[0]))))
        return
    figures = run(args.pg_url)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["appointments"] = figures
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
