"""Shared fixtures: `database_url` (SQLite and PostgreSQL) and `db` (a migrated Database).

PostgreSQL tests create a fresh `relais_test_<random>` database on the server named by
RELAIS_TEST_PG_URL (see `.ci/start-postgres`) and drop it afterwards. Without that variable
they are skipped locally, but fail when CI=true so CI can never silently skip PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Database
from support.postgres import fresh_postgres_database


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
pytest_plugins = ["support.app_fixtures", "support.outage_fixtures"]
