"""Leases (issue 15): one holder at a time, taken over when it expires, handed over on
release; the migration lock lets instances that start together migrate one by one.

The clock is injected: no wall-clock assertion.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from storage import Database
from storage.db import MIGRATIONS_DIR
from storage.leases import Lease, give_back, lease, new_holder, take
from support.postgres import fresh_postgres_database

T0 = datetime(2030, 1, 1, 12, tzinfo=UTC)


def _heads() -> set[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return set(ScriptDirectory.from_config(config).get_heads())


TTL = timedelta(seconds=10)


async def test_one_holder_until_it_expires_or_gives_back(db: Database) -> None:
    assert await take(db, "poll", "a", TTL, T0)
    assert not await take(db, "poll", "b", TTL, T0 + timedelta(seconds=5))
    assert await take(db, "poll", "a", TTL, T0 + timedelta(seconds=5))  # renewed to +15 s
    assert not await take(db, "poll", "b", TTL, T0 + timedelta(seconds=14))
    assert await take(db, "poll", "b", TTL, T0 + timedelta(seconds=15))  # a went quiet
    assert not await take(db, "poll", "a", TTL, T0 + timedelta(seconds=16))
    assert await take(db, "other", "a", TTL, T0)  # leases are independent
    await give_back(db, "poll", "a")  # not a's any more: nothing happens
    assert not await take(db, "poll", "c", TTL, T0 + timedelta(seconds=16))
    await give_back(db, "poll", "b")
    assert await take(db, "poll", "c", TTL, T0 + timedelta(seconds=16))


async def test_a_job_lease_is_kept_after_success_and_given_back_after_failure(
    db: Database,
) -> None:
    runs: list[str] = []

    async def run(holder: str, at: datetime, fail: bool = False) -> None:
        async with lease(db, "job:idle", TTL, holder, clock=lambda: at) as held:
            if held:
                runs.append(holder)
                if fail:
                    raise RuntimeError("job failed")

    await run("a", T0)
    await run("b", T0 + timedelta(seconds=1))  # a ran less than a period ago
    with pytest.raises(RuntimeError):
        await run("c", T0 + timedelta(seconds=11), fail=True)
    await run("b", T0 + timedelta(seconds=12))  # c's failure gave the lease back at once
    assert runs == ["a", "c", "b"]


async def test_a_role_lease_is_held_renewed_and_released(db: Database) -> None:
    now = [T0]
    first = Lease(db, "telegram:1", "a", ttl=10, clock=lambda: now[0])
    second = Lease(db, "telegram:1", "b", ttl=10, clock=lambda: now[0])
    assert await first.renew() and first.held
    assert not await second.renew() and not second.held
    now[0] += timedelta(seconds=9.5)  # inside the last tenth: no longer counted as held
    assert not first.held
    assert await first.renew() and first.held
    now[0] += timedelta(seconds=11)  # first died without renewing
    assert await second.renew() and second.held
    await second.release()
    assert not second.held
    assert await first.renew()


@pytest.mark.postgres
async def test_many_instances_racing_for_a_lease_one_wins() -> None:
    async with fresh_postgres_database() as url:
        pools = [Database(url) for _ in range(4)]
        try:
            await pools[0].upgrade()
            holders = [new_holder() for _ in range(12)]
            won = await asyncio.gather(
                *(take(pools[i % 4], "race", h, TTL, T0) for i, h in enumerate(holders))
            )
            assert sum(won) == 1
        finally:
            for pool in pools:
                await pool.dispose()


@pytest.mark.postgres
async def test_instances_starting_together_migrate_one_after_the_other() -> None:
    async with fresh_postgres_database() as url:
        pools = [Database(url) for _ in range(3)]
        try:
            await asyncio.gather(*(pool.upgrade() for pool in pools))
            async with pools[0].engine.connect() as conn:
                versions = (
                    (await conn.execute(text("SELECT version_num FROM alembic_version")))
                    .scalars()
                    .all()
                )
            assert set(versions) == _heads()
        finally:
            for pool in pools:
                await pool.dispose()
