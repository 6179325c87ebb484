"""A PostgreSQL cluster with production durability, for the benchmarks (issue 14).

The cluster the tests use (.ci/start-postgres) runs with fsync, full_page_writes and
synchronous_commit off: right for tests, wrong for a benchmark of durable turns. This
starts a second cluster with the same helper (`RELAIS_PG_DURABLE=1`), in a temporary
folder and on a free port, and stops and removes it afterwards.

    with durable_cluster() as url: ...
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg

from bench.raw_commits import asyncpg_dsn

ROOT = Path(__file__).resolve().parents[1]
START = ROOT / ".ci" / "start-postgres"
# What a durable commit needs; every one of them is read back from the server.
DURABLE = {"fsync": "on", "full_page_writes": "on", "synchronous_commit": "on"}
SETTINGS = ("server_version", *DURABLE, "wal_sync_method", "wal_level", "shared_buffers")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _pg_ctl() -> str:
    found = shutil.which("pg_ctl") or ""
    if not found:
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        found = candidates[-1] if candidates else ""
    if not found:
        raise RuntimeError("pg_ctl not found (install postgresql)")
    return found


def _as_pg(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def durable_cluster() -> Iterator[str]:
    """Start a throwaway cluster with fsync, full_page_writes and synchronous_commit on;
    yield its URL (postgresql+asyncpg://…/postgres); stop and remove it after."""
    folder = Path(tempfile.mkdtemp(prefix="relais-bench-pg-"))
    env = {
        **os.environ,
        "RELAIS_PG_DIR": str(folder),
        "RELAIS_PG_PORT": str(_free_port()),
        "RELAIS_PG_DURABLE": "1",
    }
    try:
        url = subprocess.run(
            [str(START)], env=env, check=True, capture_output=True, text=True
        ).stdout.strip()
        yield url
    finally:
        if (folder / "data" / "postmaster.pid").exists():
            subprocess.run(
                _as_pg([_pg_ctl(), "-D", str(folder / "data"), "-m", "fast", "-w", "stop"]),
                check=False,
                capture_output=True,
            )
        shutil.rmtree(folder, ignore_errors=True)


async def server_settings(url: str) -> dict[str, Any]:
    """The durability settings as the server reports them (SHOW), and whether all are on."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        found = {name: await conn.fetchval(f"SHOW {name}") for name in SETTINGS}
    finally:
        await conn.close()
    found["durable"] = all(found[name] == value for name, value in DURABLE.items())
    return found
