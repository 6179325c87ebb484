"""Plain turns on PostgreSQL (storage/plain_turns.py): one statement to read, one to write.

The driver's connection is used directly (asyncpg, prepared statements cached per
connection, no transaction: a single statement is its own): the ORM's unit of work and
SQLAlchemy's statement layer cost more CPU than the database here. Not used behind
PgBouncer in transaction mode (named prepared statements).

Writes go through a group commit (storage/group_commit.py): the turns of different
people that are ready together are written by one statement (`_WRITE_MANY`), so they
share a round trip, a pool checkout and a commit. A lone turn uses `_WRITE`. When a
batch hits a recorded message id, the statement wrote nothing, and its turns are
written again one by one, so that only the redelivered one is refused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from asyncpg.exceptions import UniqueViolationError
from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.availability import database_unavailable
from storage.group_commit import GroupCommit
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

_INSERT = """
INSERT INTO conversations (person_key, channel, state, version, created_at, updated_at)
VALUES ($1, $2, $3::json, 0, $4, $4)
ON CONFLICT (person_key) DO NOTHING
RETURNING id
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


# The same, for several conversations (each at most once): one row per turn in `batch`,
# the replies flattened with the id of their conversation. One row out per turn, in order.
_WRITE_MANY = """
WITH batch AS (
    SELECT * FROM unnest($1::integer[], $2::text[], $3::varchar[], $4::boolean[],
                         $5::timestamptz[], $6::integer[], $7::varchar[], $8::varchar[],
                         $9::text[], $10::varchar[], $11::timestamptz[])
        WITH ORDINALITY AS t(id, state, lang, consent, now, version, channel, message_key,
                             replies, reply_status, delivered_at, position)
), save_state AS (
    UPDATE conversations c
    SET state = b.state::json, lang = b.lang, consent = b.consent,
        version = c.version + 1, updated_at = b.now
    FROM batch b
    WHERE c.id = b.id AND c.version = b.version
    RETURNING c.id
), record AS (
    INSERT INTO inbound_messages (channel, message_key, conversation_id, replies, created_at)
    SELECT b.channel, b.message_key, b.id, b.replies::json, b.now
    FROM batch b JOIN save_state s ON s.id = b.id
    WHERE b.message_key IS NOT NULL
), queued AS (
    INSERT INTO outbox_messages
        (conversation_id, channel, body, status, attempts, created_at, delivered_at)
    SELECT b.id, b.channel, r.body::json, b.reply_status, 0, b.now, b.delivered_at
    FROM unnest($12::integer[], $13::text[]) WITH ORDINALITY AS r(id, body, position)
    JOIN batch b ON b.id = r.id
    JOIN save_state s ON s.id = r.id
    ORDER BY r.position
    RETURNING conversation_id
)
SELECT EXISTS (SELECT 1 FROM save_state s WHERE s.id = b.id) AS saved,
       (SELECT count(*) FROM queued q WHERE q.conversation_id = b.id) AS queued,
       (SELECT count(*) FROM outbox_messages o WHERE o.conversation_id = b.id) AS seen_before
FROM batch b
ORDER BY b.position
"""


def _cursor(row: Any) -> int | None:
    """The web chat cursor from a written row, None when the version had moved."""
    if not row["saved"]:
        return None
    return int(row["seen_before"]) + int(row["queued"])


class PostgresPlainTurns(PlainTurns):
    """The two statements of a plain turn, on the driver's connections of `engine`'s pool."""

    def __init__(self, engine: AsyncEngine, remember: int = REMEMBER_PEOPLE) -> None:
        super().__init__(engine.dialect, remember)
        self._engine = engine
        self._group: GroupCommit[SealedTurn, int | None] = GroupCommit(
            self._write_batch, keys=lambda sealed: (sealed.turn.conversation_id,)
        )

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
        """Waits for the writes in flight; the connections are the engine's pool's."""
        await self._group.close()

    async def _fetch(self, person_key: str) -> StoredConversation | None:
        async with self._driver() as driver:
            row = await driver.fetchrow(_READ, person_key)
        if row is None:
            return None
        # SQLAlchemy's asyncpg codec has already decoded the JSON column.
        return StoredConversation(row["id"], row["state"], row["version"], row["reachable"])

    async def _insert(
        self, person_key: str, channel: str, stored_state: str, now: datetime
    ) -> int | None:
        async with self._driver() as driver:
            found = await driver.fetchval(_INSERT, person_key, channel, stored_state, now)
        return None if found is None else int(found)

    async def _store(self, sealed: SealedTurn) -> int | None:
        return await self._group.submit(sealed)

    async def _write_batch(self, batch: Sequence[SealedTurn]) -> list[int | Exception | None]:
        if len(batch) == 1:
            return [await self._write_one_or_error(batch[0])]
        turns = [sealed.turn for sealed in batch]
        try:
            async with self._driver() as driver:
                rows = await driver.fetch(
                    _WRITE_MANY,
                    [t.conversation_id for t in turns],
                    [sealed.state for sealed in batch],
                    [t.lang for t in turns],
                    [t.consent for t in turns],
                    [t.now for t in turns],
                    [t.version for t in turns],
                    [t.channel for t in turns],
                    [t.message_key for t in turns],
                    [sealed.replies for sealed in batch],
                    [t.reply_status for t in turns],
                    [t.delivered_at for t in turns],
                    [sealed.turn.conversation_id for sealed in batch for _ in sealed.bodies],
                    [body for sealed in batch for body in sealed.bodies],
                )
        except UniqueViolationError:
            # A redelivered message id: nothing of the batch was written.
            return [await self._write_one_or_error(sealed) for sealed in batch]
        return [_cursor(row) for row in rows]

    async def _write_one_or_error(self, sealed: SealedTurn) -> int | Exception | None:
        """One turn by `_WRITE`; a recorded message id comes back as Redelivered."""
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
            redelivered = Redelivered()
            redelivered.__cause__ = error
            return redelivered
        return _cursor(row)
