"""The two storage optimisations of issue 8 keep their promises.

- `OutboxRepository.add_many` writes a turn's replies in one flush (one INSERT on
  PostgreSQL), in order (the web chat cursor relies on ids growing in reply order).
- PostgreSQL connections are pinged only after sitting idle: a connection the server
  dropped while idle is replaced before use; one dropped while busy fails one
  transaction (rolled back), and the next one works without any restart.
"""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from storage import ConversationRepository, Database, OutboxRepository


async def _conversation(db: Database) -> int:
    async with db.transaction() as session:
        conv = await ConversationRepository(session).create("person", "web", "en", {})
        return conv.id


async def test_add_many_is_one_insert_and_keeps_the_order(db: Database) -> None:
    conversation_id = await _conversation(db)
    inserts: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX_MESSAGES"):
            inserts.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    bodies = [{"text": f"reply {i}", "buttons": [], "urgent": False} for i in range(5)]
    async with db.transaction() as session:
        rows = await OutboxRepository(session).add_many(conversation_id, "web", bodies, "pending")
    event.remove(db.engine.sync_engine, "before_cursor_execute", count)

    # PostgreSQL: one multi-row INSERT ... RETURNING. SQLite: the ORM inserts row by row
    # (rowids in RETURNING are not ordered there), still in one flush.
    assert len(inserts) == (5 if db.is_sqlite else 1)
    ids = [row.id for row in rows]
    assert ids == sorted(ids) and len(set(ids)) == 5
    async with db.transaction() as session:
        stored = await OutboxRepository(session).after(conversation_id, 0)
    assert [m.body["text"] for m in stored] == [b["text"] for b in bodies]
    assert [m.id for m in stored] == ids


async def test_add_many_with_nothing_to_send(db: Database) -> None:
    conversation_id = await _conversation(db)
    async with db.transaction() as session:
        assert await OutboxRepository(session).add_many(conversation_id, "web", []) == []


async def _kill_other_backends(url: str) -> int:
    server = url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(server)
    try:
        killed = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    return len(killed)


async def _select_one(db: Database) -> int:
    async with db.transaction() as session:
        return int((await session.execute(text("SELECT 1"))).scalar_one())


@pytest.mark.postgres
async def test_idle_connection_dropped_by_the_server_is_replaced(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("connection pool pings are a PostgreSQL matter")
    db = Database(database_url, ping_idle_after=0.0)
    try:
        await db.upgrade()
        assert await _select_one(db) == 1
        assert await _kill_other_backends(database_url) >= 1
        assert await _select_one(db) == 1  # pinged, found dead, replaced: no error
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_busy_connection_dropped_fails_once_then_recovers(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("connection pool pings are a PostgreSQL matter")
    db = Database(database_url, ping_idle_after=3600.0)
    try:
        await db.upgrade()
        assert await _select_one(db) == 1
        assert await _kill_other_backends(database_url) >= 1
        with pytest.raises(DBAPIError) as failure:
            await _select_one(db)
        assert failure.value.connection_invalidated
        assert await _select_one(db) == 1
    finally:
        await db.dispose()
