"""Plain turns on PostgreSQL in one or two round trips, without a transaction (issue 14).

Most turns are a tap or a short answer that changes the conversation's state and queues
replies, nothing else. For those, the locked transaction of bot/runtime.py (`BEGIN`,
`SELECT … FOR UPDATE`, the write, `COMMIT`: four round trips and an ORM session) is
replaced by optimistic concurrency on the conversation's `version`:

1. `read`: the row's id, state and version (one statement, no lock);
2. `write`: one statement that updates the state *only if the version is unchanged*,
   records the message id and queues the replies. A single statement outside a
   transaction is its own transaction: it is committed (durably, with the server's
   `synchronous_commit`) before the reply is acknowledged, all or nothing.

If another writer got there first (the version moved), nothing is written and the caller
plays the turn again through the locked path. Within one process, turns of one person are
already serialised by the runtime's keyed locks, so conflicts only come from other
processes. The driver's connection is used directly (asyncpg, prepared statements cached
per connection): the ORM's unit of work and SQLAlchemy's statement layer cost more CPU
than the database here. Not used on SQLite, nor behind PgBouncer in transaction mode
(named prepared statements).

What a plain turn wrote is remembered for the person's next turn (`REMEMBER_PEOPLE`
people, for `REMEMBER_SECONDS`): the id, the version and the state *as stored*, sealed,
so that no plaintext is kept between turns. The next plain turn of a web chat then skips
the read: one round trip. A stale memory is harmless: the version check refuses the
write, the memory is dropped and the turn is played again in the locked path.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.availability import database_unavailable
from storage.sealing import Keyring, is_sealed
from storage.turns import TurnWrite

REMEMBER_PEOPLE: Final = 4096
REMEMBER_SECONDS: Final = 300.0

# `reachable`: a push channel's address is stored and the person has not blocked us, so
# the turn has no address to write (storage/channel_addresses.py).
_READ = """
SELECT c.id, c.state, c.version,
       (a.conversation_id IS NOT NULL AND a.unreachable_at IS NULL) AS reachable
FROM conversations c LEFT JOIN channel_addresses a ON a.conversation_id = c.id
WHERE c.person_key = $1
"""

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


@dataclass(frozen=True)
class ReadConversation:
    id: int
    state: dict[str, Any]
    version: int
    reachable: bool = False


@dataclass(frozen=True)
class PlainTurn(TurnWrite):
    version: int  # as read: the write happens only if it is still this one
    now: datetime
    delivered_at: datetime | None


@dataclass(frozen=True)
class _Written:
    id: int
    stored_state: str  # the JSON text written: the sealed token
    version: int
    at: float  # time.monotonic()


class PlainTurns:
    """The two statements of a plain turn, on the driver's connections of `engine`'s pool."""

    def __init__(
        self, engine: AsyncEngine, keyring: Keyring, remember: int = REMEMBER_PEOPLE
    ) -> None:
        self._engine = engine
        self._keyring = keyring
        self._remember = remember
        self._written: OrderedDict[str, _Written] = OrderedDict()

    def forget(self, person_key: str) -> None:
        """The next turn of this person reads the conversation from the database."""
        self._written.pop(person_key, None)

    def _prune(self) -> None:
        """Drop the oldest beyond the bound and any older than REMEMBER_SECONDS (written
        last, so the order is the order of writing)."""
        while len(self._written) > self._remember:
            self._written.popitem(last=False)
        limit = time.monotonic() - REMEMBER_SECONDS
        while self._written and next(iter(self._written.values())).at < limit:
            self._written.popitem(last=False)

    def _remembered(self, person_key: str) -> _Written | None:
        written = self._written.get(person_key)
        if written is None:
            return None
        if time.monotonic() - written.at > REMEMBER_SECONDS:
            self.forget(person_key)
            return None
        return written

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

    async def read(self, person_key: str, remembered: bool = False) -> ReadConversation | None:
        """The conversation; `remembered`: what this process's last plain turn of the person
        wrote, when it has it (no round trip; `reachable` is then unknown: False)."""
        written = self._remembered(person_key) if remembered else None
        if written is not None:
            return ReadConversation(written.id, self._open(written.stored_state), written.version)
        async with self._driver() as driver:
            row = await driver.fetchrow(_READ, person_key)
        if row is None:
            return None
        return ReadConversation(
            row["id"], self._open(row["state"]), row["version"], row["reachable"]
        )

    async def write(self, person_key: str, turn: PlainTurn) -> int | None:
        """Store the turn; return the web chat cursor (how many messages the conversation
        has with this turn's replies), or None when the version moved (nothing written).
        A message id already recorded raises asyncpg's UniqueViolationError."""
        self.forget(person_key)  # remembered again only once this write is committed
        replies = list(turn.replies)
        stored_state = self._sealed(turn.state)
        async with self._driver() as driver:
            row = await driver.fetchrow(
                _WRITE,
                turn.conversation_id,
                stored_state,
                turn.lang,
                turn.consent,
                turn.now,
                turn.version,
                turn.channel,
                turn.message_key,
                self._sealed(replies),
                turn.reply_status,
                turn.delivered_at,
                [self._sealed(body) for body in replies],
            )
        if not row["saved"]:
            return None
        self._written[person_key] = _Written(
            turn.conversation_id, stored_state, turn.version + 1, time.monotonic()
        )
        self._prune()
        return int(row["seen_before"]) + int(row["queued"])

    def _sealed(self, value: Any) -> str:
        """JSON text as storage.sealing.SealedJSON stores `value` (empty stays plain)."""
        if value == {} or value == []:
            return json.dumps(value)
        return json.dumps(self._keyring.seal(json.dumps(value, separators=(",", ":"))))

    def _open(self, stored: Any) -> dict[str, Any]:
        """The state as read: SQLAlchemy's asyncpg codec has already decoded the JSON
        column, so a sealed state is its token, a state from before sealing a dict."""
        if is_sealed(stored):
            stored = json.loads(self._keyring.open(stored))
        elif isinstance(stored, str):  # a connection without the codec: JSON text
            return self._open(json.loads(stored))
        return dict(stored)
