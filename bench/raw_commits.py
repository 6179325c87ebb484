"""The physical reference: single-row transactions per second on the same database.

Each transaction is what the driver does for one Relais turn minus everything else:
`BEGIN`, one `INSERT` of one small row, `COMMIT` — through the same driver (asyncpg,
aiosqlite), at the same concurrency as the turn benchmark, on a scratch table of the same
database. On SQLite, writers are serialised like Relais does (one writer at a time,
`BEGIN IMMEDIATE`, WAL, the same pragmas).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiosqlite
import asyncpg
from sqlalchemy.engine import make_url

TABLE = "bench_raw_commits"


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _postgres(url: str, concurrency: int, seconds: float) -> dict[str, Any]:
    dsn = asyncpg_dsn(url)
    setup = await asyncpg.connect(dsn)
    await setup.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, v text)")
    pool = await asyncpg.create_pool(dsn, min_size=concurrency, max_size=concurrency)
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        async with pool.acquire() as conn:
            while time.perf_counter() < deadline:
                async with conn.transaction():
                    await conn.execute(f"INSERT INTO {TABLE} (v) VALUES ($1)", "x")
                done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    await pool.close()
    settings = {
        name: await setup.fetchval(f"SHOW {name}")
        for name in ("server_version", "fsync", "synchronous_commit", "full_page_writes")
    }
    await setup.execute(f"DROP TABLE {TABLE}")
    await setup.close()
    return {"commits": done, "seconds": round(elapsed, 3), "server": settings}


async def _sqlite(url: str, seconds: float) -> dict[str, Any]:
    path = make_url(url).database or ""
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        for pragma in ("journal_mode=WAL", "busy_timeout=30000", "secure_delete=ON"):
            await conn.execute(f"PRAGMA {pragma}")
        await conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER PRIMARY KEY, v TEXT)")
        done = 0
        started = time.perf_counter()
        deadline = started + seconds
        while time.perf_counter() < deadline:
            await conn.execute("BEGIN IMMEDIATE")
            await conn.execute(f"INSERT INTO {TABLE} (v) VALUES (?)", ("x",))
            await conn.execute("COMMIT")
            done += 1
        elapsed = time.perf_counter() - started
        synchronous = await (await conn.execute("PRAGMA synchronous")).fetchone()
        await conn.execute(f"DROP TABLE {TABLE}")
    return {
        "commits": done,
        "seconds": round(elapsed, 3),
        "server": {"sqlite_version": aiosqlite.sqlite_version, "synchronous": synchronous[0]},
    }


async def measure_raw_commits(url: str, concurrency: int, seconds: float) -> dict[str, Any]:
    if url.startswith("sqlite"):
        result = await _sqlite(url, seconds)
        result["concurrency"] = 1
    else:
        result = await _postgres(url, concurrency, seconds)
        result["concurrency"] = concurrency
    result["raw_commits_per_s"] = round(result["commits"] / result["seconds"], 1)
    return result
