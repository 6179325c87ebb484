"""Plain turns without the locked transaction (issue 14).

Most turns are a tap or a short answer that changes the conversation's state and queues
replies, nothing else. For those, the locked transaction of bot/runtime.py (`BEGIN`,
`SELECT … FOR UPDATE`, the write, `COMMIT`, through an ORM session) is replaced by
optimistic concurrency on the conversation's `version`:

1. `read`: the row's id, state and version (no lock);
2. `write`: the state is updated *only if the version is unchanged*, the message id is
   recorded and the replies are queued, all or nothing, committed (durably, with the
   database's settings) before the reply is acknowledged.

If another writer got there first (the version moved), nothing is written and the caller
plays the turn again through the locked path. A person's first turn starts with
`create`: the conversation row with the initial state and version 0, committed on its
own (one short statement), then the turn is read and written as any other. Should the
turn not be written after that, the row is exactly what the locked path would start from.
Within one process, turns of one person are already serialised by the runtime's keyed
locks, so conflicts only come from other processes. Each database has its own way of
doing the two steps cheaply: storage/plain_turns_postgres.py (asyncpg directly, one
statement each) and storage/plain_turns_sqlite.py (the sqlite3 module on one thread of
its own, one hop each).

What a plain turn wrote is remembered for the person's next turn (`REMEMBER_PEOPLE`
people, for `REMEMBER_SECONDS`): the id, the version and the state *as stored*, sealed,
so that no plaintext is kept between turns. The next plain turn of a web chat then skips
the read. A turn with effects (an intake, a referral) that was read this way is written in
a transaction that checks the same version, and what it wrote is remembered too. A
stale memory is harmless: the version check refuses the write, the memory is dropped
and the turn is played again in the locked path.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import orjson
from sqlalchemy.engine import Dialect

from storage.sealing import SealedJSON, is_sealed, sealed_json_text
from storage.turns import TurnWrite
from storage.types import utcnow

REMEMBER_PEOPLE: Final = 4096
REMEMBER_SECONDS: Final = 300.0


class Redelivered(Exception):
    """The message id is already recorded: the locked path finds its stored replies."""


@dataclass(frozen=True)
class ReadConversation:
    id: int
    state: dict[str, Any]
    version: int
    # A push channel's address is stored and the person has not blocked us, so the turn
    # has no address to write (storage/channel_addresses.py).
    reachable: bool = False


@dataclass(frozen=True)
class StoredConversation:
    """A conversation row as a backend reads it: the state still as stored."""

    id: int
    stored_state: Any
    version: int
    reachable: bool


@dataclass(frozen=True)
class PlainTurn(TurnWrite):
    version: int  # as read: the write happens only if it is still this one
    now: datetime
    delivered_at: datetime | None


@dataclass(frozen=True)
class SealedTurn:
    """A plain turn with its free text sealed, as the backends store it (JSON texts)."""

    turn: PlainTurn
    state: str
    replies: str
    bodies: list[str]


@dataclass(frozen=True)
class _Written:
    id: int
    stored_state: str  # the JSON text written: the sealed token
    version: int
    at: float  # time.monotonic()


class PlainTurns(ABC):
    """Read and write plain turns; remember the last written sealed state per person."""

    def __init__(self, dialect: Dialect, remember: int = REMEMBER_PEOPLE) -> None:
        """`dialect`: the engine's, with its keyring attached (storage/sealing.py)."""
        self._dialect = dialect
        self._remember = remember
        self._written: OrderedDict[str, _Written] = OrderedDict()

    @abstractmethod
    async def _fetch(self, person_key: str) -> StoredConversation | None:
        """The person's conversation row, or None."""

    @abstractmethod
    async def _store(self, sealed: SealedTurn) -> int | None:
        """Write the turn if the version is unchanged; return the web chat cursor, or None
        when the version moved (nothing written). Raise Redelivered for a recorded id."""

    @abstractmethod
    async def _insert(
        self, person_key: str, channel: str, stored_state: str, now: datetime
    ) -> int | None:
        """Insert the conversation (version 0) and commit; its id, or None when the
        person has one already."""

    @abstractmethod
    async def close(self) -> None:
        """Release what the backend holds (connections, threads)."""

    def forget(self, person_key: str) -> None:
        """The next turn of this person reads the conversation from the database."""
        self._written.pop(person_key, None)

    async def read(self, person_key: str, remembered: bool = False) -> ReadConversation | None:
        """The conversation; `remembered`: what this process's last plain turn of the person
        wrote, when it has it (no round trip; `reachable` is then unknown: False)."""
        written = self._remembered(person_key) if remembered else None
        if written is not None:
            return ReadConversation(written.id, self._open(written.stored_state), written.version)
        row = await self._fetch(person_key)
        if row is None:
            return None
        return ReadConversation(row.id, self._open(row.stored_state), row.version, row.reachable)

    async def create(
        self, person_key: str, channel: str, state: dict[str, Any]
    ) -> ReadConversation | None:
        """A new conversation for the person, at version 0 with `state`; None when they
        have one already (another process made it first)."""
        conversation_id = await self._insert(person_key, channel, self._sealed(state), utcnow())
        return None if conversation_id is None else ReadConversation(conversation_id, state, 0)

    async def write(self, person_key: str, turn: PlainTurn) -> int | None:
        """Store the turn; return the web chat cursor (how many messages the conversation
        has with this turn's replies), or None when the version moved (nothing written).
        A message id already recorded raises Redelivered."""
        self.forget(person_key)  # remembered again only once this write is committed
        sealed = self.seal(turn)
        cursor = await self._store(sealed)
        if cursor is None:
            return None
        self.remember(person_key, turn.conversation_id, sealed.state, turn.version + 1)
        return cursor

    def remember(
        self, person_key: str, conversation_id: int, stored_state: str, version: int
    ) -> None:
        """What a committed turn wrote (`stored_state`: the sealed JSON text), for the
        person's next turn; the locked path of bot/runtime.py calls it too."""
        self._written[person_key] = _Written(
            conversation_id, stored_state, version, time.monotonic()
        )
        self._written.move_to_end(person_key)
        self._prune()

    def seal(self, turn: PlainTurn) -> SealedTurn:
        replies = list(turn.replies)
        return SealedTurn(
            turn,
            self._sealed(turn.state),
            self._sealed(replies),
            [self._sealed(body) for body in replies],
        )

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

    def _sealed(self, value: Any) -> str:
        """JSON text as storage.sealing.SealedJSON stores `value`."""
        return sealed_json_text(self._dialect, value)

    def _open(self, stored: Any) -> dict[str, Any]:
        """The state as read: a sealed token, or a state from before sealing; either may
        come as JSON text (a driver that does not decode JSON columns)."""
        if isinstance(stored, str) and not is_sealed(stored):
            stored = orjson.loads(stored)
        return dict(SealedJSON().process_result_value(stored, self._dialect))
