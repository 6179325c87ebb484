"""No double booking across worker processes: 500 attempts on 10 seats from two
processes at once → exactly 10 bookings, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from storage import Database
from storage.models import Appointment, Slot

ROOT = Path(__file__).resolve().parents[2]
WORKER = """
import asyncio, sys
from datetime import datetime, timedelta, timezone
from storage import AppointmentRepository, Database

async def attempt(db, n):
    starts = datetime(2030, 1, 7, 9, tzinfo=timezone.utc)
    async with db.transaction() as session:
        booked = await AppointmentRepository(session).book(
            conversation_id=None, slot_key="ml-hq:203001071000", place_id="ml-hq",
            service="first_visit", starts_at=starts, ends_at=starts + timedelta(minutes=30),
            capacity=10, lang="fr")
        return booked is not None

async def main():
    db = Database(sys.argv[1])
    try:
        results = await asyncio.gather(*(attempt(db, n) for n in range(250)))
    finally:
        await db.dispose()
    print(sum(results))

asyncio.run(main())
"""


async def test_500_attempts_from_two_processes_fill_exactly_10_seats(db: Database) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", WORKER, url, cwd=ROOT, stdout=subprocess.PIPE, env=env
        )
        for _ in range(2)
    ]
    outputs = await asyncio.wait_for(asyncio.gather(*(w.communicate() for w in workers)), 300)
    won = [int(out.strip()) for out, _ in outputs]
    assert all(worker.returncode == 0 for worker in workers)
    assert sum(won) == 10
    async with db.transaction() as session:
        slot = await session.get(Slot, "ml-hq:203001071000")
        count = await session.scalar(select(func.count()).select_from(Appointment))
    assert slot is not None and (slot.booked, slot.capacity) == (10, 10)
    assert count == 10
