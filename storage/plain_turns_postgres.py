"""Plain turns on PostgreSQL (storage/plain_turns.py): one statement to read, one to write.

The driver's connection is used directly (asyncpg, prepared statements cached per
connection, no transaction: a single statement is its own): the ORM's unit of work and
SQLAlchemy's statement layer cost more CPU than the database here. Not used behind
PgBouncer in transaction mode (named prepared statements).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from asyncpg.exceptions import UniqueViolationError
from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.availability import database_unavailable
from storage.plain_turns import (
    REMEMBER_PEOPLE,
    PlainTurns,
    Redelivered,
    SealedTurn,
    StoredConversation,
)

_READ = """
SELECT c.id, c.state, c.version,
       (a.conversation_id IS NOT NULL AND a.unreachable_at IS NULL) AS reachable
FROM conversations c LEFT JOIN channel_addresses a ON a.conversation_id = c.id
WHERE c.person_key = $1
"""

# The final SELECT sees the table as it was before the statement: `seen_before` does not
# count the replies queued here.
_WRITE = """
WITH save_state AS (
    UPDATE conversations
    SET state = $2::json, lang = $3::varchar, consent = $4::boolean,
        version = version + 1, updated_at = $5::timestamptz
    WHERE id = $1::integer AND version = $6::integer
    RETURNING id
), record AS (
    INSERT INTO inbound_messages (channel, message_key, conversation_id, replies, created_at)
    SELECT $7::varchar, $8::varchar, $1::integer, $9::json, $5::timestamptz
    WHERE $8::varchar IS NOT NULL AND EXISTS (SELECT 1 FROM save_state)
), queued AS (
    INSERT INTO outbox_messages
        (conversation_id, channel, body, status, attempts, created_at, delivered_at)
    SELECT $1::integer, $7::varchar, body::json, $10::varchar, 0, $5::timestamptz,
           $11::timestamptz
    FROM unnest($12::text[]) WITH ORDINALITY AS replies(body, position)
    WHERE EXISTS (SELECT 1 FROM save_state)
    ORDER BY position
    RETURNING id
)
SELECT (SELECT count(*) FROM save_state) AS saved,
       (SELECT count(*) FROM queued) AS queued,
       (SELECT count(*) FROM outbox_messages WHERE conversation_id = $1::integer) AS seen_before
"""


class PostgresPlainTurns(PlainTurns):
    """The two statements of a plain turn, on the driver's connections of `engine`'s pool."""

    def __init__(self, engine: AsyncEngine, remember: int = REMEMBER_PEOPLE) -> None:
        super().__init__(engine.dialect, remember)
        self._engine = engine

    @asynccontextmanager
    async def _driver(self) -> AsyncIterator[Any]:
        """A pooled asyncpg connection. A database that is not there surfaces as the
        SQLAlchemy error the callers already handle (storage/availability.py)."""
        async with self._engine.connect() as connection:
            raw = await connection.get_raw_connection()
            try:
                yield raw.driver_connection
            except Exception as error:
                if database_unavailable(error):
                    await connection.invalidate()
                    raise exc.OperationalError("plain turn", None, error) from error
                raise

    async def close(self) -> None:
        """Nothing of its own: the connections are the engine's pool's."""

    async def _fetch(self, person_key: str) -> StoredConversation | None:
        async with self._driver() as driver:
            row = await driver.fetchrow(_READ, person_key)
        if row is None:
            return None
        # SQLAlchemy's asyncpg codec has already decoded the JSON column.
        return StoredConversation(row["id"], row["state"], row["version"], row["reachable"])

    async def _store(self, sealed: SealedTurn) -> int | None:
        turn = sealed.turn
        try:
            async with self._driver() as driver:
                row = await driver.fetchrow(
                    _WRITE,
                    turn.conversation_id,
                    sealed.state,
                    turn.lang,
                    turn.consent,
                    turn.now,
                    turn.version,
                    turn.channel,
                    turn.message_key,
                    sealed.replies,
                    turn.reply_status,
                    turn.delivered_at,
                    sealed.bodies,
                )
        except UniqueViolationError as error:
            raise Redelivered from error
        if not row["saved"]:
            return None
        return int(row["seen_before"]) + int(row["queued"])
