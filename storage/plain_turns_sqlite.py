"""Plain turns on SQLite (storage/plain_turns.py): one thread hop to read, one to write.

Writes go through a group commit (storage/group_commit.py): the turns that are ready
together share one transaction, one hop and one commit (one fsync of the WAL).

Through aiosqlite every statement hops to the driver's thread and back, several times
(cursor, execute, fetch, close), and the locked path of a turn makes about a dozen such
calls while holding the process's one write lock (storage/db.py). Here the whole read, or
the whole write (`BEGIN IMMEDIATE` … `COMMIT`), is one plain function run on a thread
of its own with its own sqlite3 connection to the same file; only the write holds the
write lock, and the conversation engine runs outside it. WAL mode lets the read run
beside another connection's write. Not used for in-memory databases (a second
connection would see another database).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import exc
from sqlalchemy.engine import Dialect

from storage.group_commit import GroupCommit
from storage.plain_turns import (
    REMEMBER_PEOPLE,
    PlainTurns,
    Redelivered,
    SealedTurn,
    StoredConversation,
)
from storage.types import UTCDateTime

_T = TypeVar("_T")

_READ = """
SELECT c.id, c.state, c.version,
       (a.conversation_id IS NOT NULL AND a.unreachable_at IS NULL) AS reachable
FROM conversations c LEFT JOIN channel_addresses a ON a.conversation_id = c.id
WHERE c.person_key = ?
"""
_INSERT = """
INSERT INTO conversations (person_key, channel, state, version, created_at, updated_at)
VALUES (?, ?, ?, 0, ?, ?)
ON CONFLICT (person_key) DO NOTHING
RETURNING id
"""
_SAVE_STATE = """
UPDATE conversations SET state = ?, lang = ?, consent = ?, version = version + 1,
       updated_at = ?
WHERE id = ? AND version = ?
"""
_RECORD = """
INSERT INTO inbound_messages (channel, message_key, conversation_id, replies, created_at)
VALUES (?, ?, ?, ?, ?)
"""
_SEEN = "SELECT count(*) FROM outbox_messages WHERE conversation_id = ?"
_QUEUE = """
INSERT INTO outbox_messages
    (conversation_id, channel, body, status, attempts, created_at, delivered_at)
VALUES (?, ?, ?, ?, 0, ?, ?)
"""


@dataclass(frozen=True)
class _Row:
    """A sealed turn with its times as the store's column type writes them."""

    sealed: SealedTurn
    now: str | None
    delivered_at: str | None


def _in_transaction(connection: sqlite3.Connection, turns: Sequence[_Row]) -> list[int | None]:
    """Write the turns in one transaction; raise Redelivered (nothing written) when one's
    message id is recorded already."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        found = [_write(connection, turn) for turn in turns]
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return found


def _write(connection: sqlite3.Connection, row: _Row) -> int | None:
    """One turn inside the transaction: its cursor, or None when the version had moved
    (then nothing of it is written)."""
    sealed, turn = row.sealed, row.sealed.turn
    saved = connection.execute(
        _SAVE_STATE,
        (sealed.state, turn.lang, turn.consent, row.now, turn.conversation_id, turn.version),
    ).rowcount
    if not saved:
        return None
    if turn.message_key is not None:
        try:
            connection.execute(
                _RECORD,
                (turn.channel, turn.message_key, turn.conversation_id, sealed.replies, row.now),
            )
        except sqlite3.IntegrityError as error:  # the inbox's unique key
            raise Redelivered from error
    (seen_before,) = connection.execute(_SEEN, (turn.conversation_id,)).fetchone()
    connection.executemany(
        _QUEUE,
        [
            (turn.conversation_id, turn.channel, body, turn.reply_status, row.now, row.delivered_at)
            for body in sealed.bodies
        ],
    )
    return int(seen_before) + len(sealed.bodies)


class SqlitePlainTurns(PlainTurns):
    """Plain turns on the SQLite file at `path`; `dialect` is the engine's (sealing and
    column types), `write_lock` the process's lock for writing to the file (storage/db.py),
    `configure` sets a new connection up (pragmas)."""

    def __init__(
        self,
        path: str,
        dialect: Dialect,
        write_lock: Callable[[], AbstractAsyncContextManager[None]],
        configure: Callable[[sqlite3.Connection, Any], None],
        remember: int = REMEMBER_PEOPLE,
    ) -> None:
        super().__init__(dialect, remember)
        # Timestamps as the store's column type writes them (naive UTC text).
        self._stored_time: Callable[[datetime | None], str | None] = UTCDateTime().bind_processor(
            dialect
        )
        self._path = path
        self._write_lock = write_lock
        self._configure = configure
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="relais-sqlite")
        self._connection: sqlite3.Connection | None = None
        # Tests count statements here (sqlite3's trace callback), as on PostgreSQL.
        self.trace: Callable[[str], None] | None = None
        # One writer at a time on SQLite: one batch in flight.
        self._group: GroupCommit[SealedTurn, int | None] = GroupCommit(
            self._write_batch, keys=lambda sealed: (sealed.turn.conversation_id,), lanes=1
        )

    async def _on_thread(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        def run() -> _T:
            if self._connection is None:
                # Only ever used on this one thread; the flag lets close() run anywhere.
                self._connection = sqlite3.connect(self._path, check_same_thread=False)
                self._configure(self._connection, None)
            self._connection.set_trace_callback(self.trace)
            return work(self._connection)

        try:
            return await asyncio.get_running_loop().run_in_executor(self._thread, run)
        except sqlite3.OperationalError as error:  # locked past the busy timeout, I/O
            raise exc.OperationalError("plain turn", None, error) from error

    async def _fetch(self, person_key: str) -> StoredConversation | None:
        def read(connection: sqlite3.Connection) -> StoredConversation | None:
            row = connection.execute(_READ, (person_key,)).fetchone()
            if row is None:
                return None
            return StoredConversation(row[0], row[1], row[2], bool(row[3]))

        return await self._on_thread(read)

    async def _insert(
        self, person_key: str, channel: str, stored_state: str, now: datetime
    ) -> int | None:
        at = self._stored_time(now)

        def insert(connection: sqlite3.Connection) -> int | None:
            # Autocommit (isolation_level None): the statement is its own transaction,
            # committed once its rows are all read.
            rows = connection.execute(_INSERT, (person_key, channel, stored_state, at, at))
            found = rows.fetchall()
            return int(found[0][0]) if found else None

        async with self._write_lock():
            return await self._on_thread(insert)

    async def _store(self, sealed: SealedTurn) -> int | None:
        return await self._group.submit(sealed)

    async def _write_batch(self, batch: Sequence[SealedTurn]) -> list[int | Exception | None]:
        """The batch in one transaction (one commit, one fsync). A recorded message id
        rolls it back, and each turn is written again in a transaction of its own, so
        that only the redelivered one is refused."""
        turns = [
            _Row(
                sealed,
                self._stored_time(sealed.turn.now),
                self._stored_time(sealed.turn.delivered_at),
            )
            for sealed in batch
        ]

        def write(connection: sqlite3.Connection) -> list[int | Exception | None]:
            try:
                return _in_transaction(connection, turns)
            except Redelivered as redelivered:
                if len(turns) == 1:
                    return [redelivered]
            found: list[int | Exception | None] = []
            for turn in turns:
                try:
                    found.extend(_in_transaction(connection, [turn]))
                except Redelivered as redelivered:
                    found.append(redelivered)
            return found

        async with self._write_lock():
            return await self._on_thread(write)

    async def close(self) -> None:
        await self._group.close()

        def close() -> None:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

        await asyncio.get_running_loop().run_in_executor(self._thread, close)
        self._thread.shutdown(wait=False)
