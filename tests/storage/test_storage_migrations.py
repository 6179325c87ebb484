"""Migrations and the Database handle: idempotent upgrade, schema == models, transactions.

The schema check compares the database produced by the Alembic revisions with the
declarative models (alembic `compare_metadata`), so a model change without a migration
fails here. Both backends run unless marked otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection

from storage import ConversationRepository, Database
from storage.db import MIGRATIONS_DIR
from storage.models import Base, Conversation


def _schema_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _revisions(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
        return {row[0] for row in rows}


def _heads() -> set[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return set(ScriptDirectory.from_config(config).get_heads())


async def test_upgrade_twice_is_a_no_op(db: Database) -> None:
    async with db.transaction() as session:
        await ConversationRepository(session).create("k" * 64, "web", "fr", {"step": 1})
    await db.upgrade()
    assert await _revisions(db) == _heads()
    async with db.transaction() as session:
        rows = (await session.scalars(select(Conversation))).all()
    assert [row.state for row in rows] == [{"step": 1}]


async def test_migrated_schema_matches_models(db: Database) -> None:
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(_tables)
        diff = await conn.run_sync(_schema_diff)
    assert set(Base.metadata.tables) <= tables
    assert diff == []


async def test_sqlite_pragmas_and_parent_directory(tmp_path: Any) -> None:
    path = tmp_path / "nested" / "dir" / "relais.sqlite3"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        assert db.is_sqlite
        await db.upgrade()
        async with db.transaction() as session:
            journal = (await session.execute(text("PRAGMA journal_mode"))).scalar()
            fks = (await session.execute(text("PRAGMA foreign_keys"))).scalar()
            timeout = (await session.execute(text("PRAGMA busy_timeout"))).scalar()
        assert (journal, fks, timeout) == ("wal", 1, 30000)
        assert path.exists()
    finally:
        await db.dispose()


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with db.transaction() as session:
            await ConversationRepository(session).create("p1", "web", None, {})
            raise RuntimeError("boom")
    async with db.transaction() as session:
        assert (await session.scalars(select(Conversation))).all() == []


async def test_nested_transaction_is_refused(db: Database) -> None:
    async with db.transaction():
        with pytest.raises(RuntimeError, match="re-entrant"):
            async with db.transaction():
                pass
