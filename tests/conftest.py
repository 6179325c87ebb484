"""Shared fixtures: `database_url` (SQLite and PostgreSQL) and `db` (a migrated Database).

PostgreSQL tests create a fresh `relais_test_<random>` database on the server named by
RELAIS_TEST_PG_URL (see `.ci/start-postgres`) and drop it afterwards. Without that variable
they are skipped locally, but fail when CI=true so CI can never silently skip PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL, make_url

from storage import Database

PG_ENV = "RELAIS_TEST_PG_URL"


def _pg_server_url() -> URL:
    raw = os.environ.get(PG_ENV, "").strip()
    if not raw:
        message = f"{PG_ENV} is not set (start a server with .ci/start-postgres)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return make_url(raw)


def _asyncpg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """Create a brand-new, empty PostgreSQL database; yield its URL; drop it afterwards."""
    server = _pg_server_url()
    name = f"relais_test_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(_asyncpg_dsn(server))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        url = server.set(drivername="postgresql+asyncpg", database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(_asyncpg_dsn(server))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'db' / 'relais.sqlite3'}"
        return
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A `Database` migrated to head, disposed after the test."""
    database = Database(database_url)
    try:
        await database.upgrade()
        yield database
    finally:
        await database.dispose()


# The real app, an HTTP client and a web chat driver, for tests/bot and tests/api.
pytest_plugins = ["support.app_fixtures"]
