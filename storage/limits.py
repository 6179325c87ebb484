"""Token buckets shared by every instance, kept in PostgreSQL (issue 15).

Each instance of `relais serve` takes its tokens from the same rows, so a limit holds
for the whole deployment, not per process: a person alternating between two instances
gets what one instance would give them. One statement per request, whatever the number
of buckets it touches, and the requests that arrive together share one (a group commit,
storage/group_commit.py; two requests on one bucket never share a statement): an
`INSERT … ON CONFLICT DO UPDATE … RETURNING` on an UNLOGGED table (no WAL, nothing to
replicate; emptied after a server crash, when every bucket starts full again, as after a
restart of a single process), sent outside any transaction (no `BEGIN`/`COMMIT` round
trips). The row lock of the UPSERT makes the refill-and-take atomic, and the rows are
locked in key order, so two requests never deadlock.

The statement goes straight to the driver on a few connections the limiter keeps
checked out of the pool ("lanes", 2 by default): SQLAlchemy's checkout and result
handling would cost several times the round trip itself (bench/limits.py). A lane that
breaks (the database restarted) is given back as invalid and replaced at the next take;
the error goes up to the caller (the web chat then uses its in-process buckets for a
moment, bot/webchat/ratelimit.py; Telegram waits like for any other outage).

A bucket refills at `rate` tokens a second up to `burst`. Taking a token when one is
left answers 0; otherwise the seconds until one will be. A *rejecting* bucket (the web
chat) keeps what it had; a *queueing* bucket (pacing of outgoing messages) books the
next token anyway — its count goes below zero — so each caller gets its own slot.
Time is the database's clock, the same for every instance.

Subjects (an IP address, a session id, a chat id) are stored as keyed hashes: the table
never holds an identifier. A bucket left alone long enough to be full again is the same
as no row, so `purge` deletes those.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Boolean, Column, Double, String, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.group_commit import GroupCommit
from storage.models import Base


@dataclass(frozen=True)
class Bucket:
    """`rate` tokens per second, up to `burst` saved; `queue`: book a slot when empty."""

    rate: float
    burst: float
    queue: bool = False


RATE_LIMITS = Table(
    "rate_limits",
    Base.metadata,
    Column("key", String(96), primary_key=True),
    Column("rate", Double(), nullable=False),
    Column("burst", Double(), nullable=False),
    Column("queue", Boolean(), nullable=False),
    Column("tokens", Double(), nullable=False),
    # Database clock (seconds since the epoch) of the last take.
    Column("stamp", Double(), nullable=False),
    # What the last take had to wait (0: it got a token).
    Column("wait", Double(), nullable=False),
)

_REFILL: Final = (
    "least(EXCLUDED.burst, b.tokens + greatest(0, EXCLUDED.stamp - b.stamp) * EXCLUDED.rate)"
)
_TAKE_ON_CONFLICT: Final = f"""
    ON CONFLICT (key) DO UPDATE SET
        rate = EXCLUDED.rate,
        burst = EXCLUDED.burst,
        queue = EXCLUDED.queue,
        stamp = greatest(b.stamp, EXCLUDED.stamp),
        tokens = CASE WHEN {_REFILL} >= 1 OR EXCLUDED.queue
                      THEN {_REFILL} - 1 ELSE {_REFILL} END,
        wait = CASE WHEN {_REFILL} >= 1 THEN 0 ELSE (1 - {_REFILL}) / EXCLUDED.rate END
"""
# The database's clock, or the tests' (parameter number %d).
_CLOCK: Final = (
    "(SELECT coalesce($%d::float8, extract(epoch FROM clock_timestamp())) AS now) AS clock"
)
TAKE_SQL: Final = f"""
WITH taken AS (
    INSERT INTO rate_limits AS b (key, rate, burst, queue, tokens, stamp, wait)
    SELECT t.key, t.rate, t.burst, t.queue, t.burst - 1, clock.now, 0
    FROM unnest($1::text[], $2::float8[], $3::float8[], $4::boolean[])
         AS t(key, rate, burst, queue),
         {_CLOCK % 5}
    ORDER BY t.key
    {_TAKE_ON_CONFLICT}
    RETURNING wait
)
SELECT coalesce(max(wait), 0) FROM taken
"""
# The takes of several requests in one statement (no key in two of them: a statement
# cannot update a row twice): one row (request, wait) per request, in request order.
TAKE_MANY_SQL: Final = f"""
WITH wanted AS (
    SELECT * FROM unnest($1::integer[], $2::text[], $3::float8[], $4::float8[], $5::boolean[])
        AS t(request, key, rate, burst, queue)
), taken AS (
    INSERT INTO rate_limits AS b (key, rate, burst, queue, tokens, stamp, wait)
    SELECT w.key, w.rate, w.burst, w.queue, w.burst - 1, clock.now, 0
    FROM wanted w, {_CLOCK % 6}
    ORDER BY w.key
    {_TAKE_ON_CONFLICT}
    RETURNING b.key, b.wait
)
SELECT w.request, coalesce(max(t.wait), 0) AS wait
FROM wanted w JOIN taken t ON t.key = w.key
GROUP BY w.request
ORDER BY w.request
"""
PURGE_SQL: Final = """
WITH gone AS (
    DELETE FROM rate_limits
    WHERE coalesce($1::float8, extract(epoch FROM clock_timestamp())) - stamp
          >= (burst - tokens) / rate
    RETURNING 1
)
SELECT count(*) FROM gone
"""


# One request's buckets: (row key, bucket), sorted by row key.
_Take = tuple[tuple[str, Bucket], ...]


class _Lane:
    """One connection kept checked out of the pool, used by one take at a time."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.waiting = 0
        self.connection: AsyncConnection | None = None
        self.driver: Any = None


class PostgresLimiter:
    """The shared limiter: `await take("webchat.ip:203.0.113.9", "webchat.person:…")`.

    A key is `<bucket name>:<subject>`; `buckets` gives each name its rate and burst.
    `clock` is for tests only (seconds); by default the database's clock is used.
    `close()` gives the lanes back to the pool (before the database is disposed).
    """

    def __init__(
        self,
        db: Database,
        buckets: Mapping[str, Bucket],
        secret: bytes,
        clock: Callable[[], float] | None = None,
        lanes: int = 2,
        in_transaction: bool = False,
    ) -> None:
        if db.is_sqlite:
            raise ValueError("the shared limiter needs PostgreSQL; use the in-memory one")
        self._engine = db.engine
        self._buckets = dict(buckets)
        self._secret = hashlib.blake2b(secret, person=b"relais-limits").digest()
        self._clock = clock
        self._lanes = [_Lane() for _ in range(lanes)]
        # The takes of concurrent requests share a statement (storage/group_commit.py).
        self._group: GroupCommit[_Take, float] = GroupCommit(
            self._take_batch, keys=lambda take: [key for key, _ in take], lanes=lanes
        )
        # Behind PgBouncer in transaction mode a statement's parse and execution must be in
        # one transaction (two more round trips).
        self._in_transaction = in_transaction

    def _row_key(self, key: str) -> tuple[str, Bucket]:
        name, _, subject = key.partition(":")
        bucket = self._buckets[name]
        digest = hashlib.blake2b(subject.encode(), key=self._secret, digest_size=16)
        return f"{name}:{digest.hexdigest()}", bucket

    async def take(self, *keys: str) -> float:
        """One token from each key's bucket: 0.0 when all had one, else the longest wait."""
        rows = tuple(sorted({self._row_key(key) for key in keys}, key=lambda row: row[0]))
        return await self._group.submit(rows)

    async def _take_batch(self, batch: Sequence[_Take]) -> list[float]:
        if len(batch) == 1:
            (rows,) = batch
            wait = await self._fetch(
                "fetchval",
                TAKE_SQL,
                [key for key, _ in rows],
                [bucket.rate for _, bucket in rows],
                [bucket.burst for _, bucket in rows],
                [bucket.queue for _, bucket in rows],
                self._now(),
            )
            return [float(wait)]
        every = [(number, key, bucket) for number, rows in enumerate(batch) for key, bucket in rows]
        found = await self._fetch(
            "fetch",
            TAKE_MANY_SQL,
            [number for number, _, _ in every],
            [key for _, key, _ in every],
            [bucket.rate for _, _, bucket in every],
            [bucket.burst for _, _, bucket in every],
            [bucket.queue for _, _, bucket in every],
            self._now(),
        )
        waits = {int(row["request"]): float(row["wait"]) for row in found}
        return [waits[number] for number in range(len(batch))]

    async def purge(self) -> int:
        """Forget the buckets that are full again (the same as having no row)."""
        return int(await self._fetch("fetchval", PURGE_SQL, self._now()))

    async def close(self) -> None:
        await self._group.close()
        for lane in self._lanes:
            async with lane.lock:
                await self._drop(lane, invalid=False)

    def _now(self) -> float | None:
        return self._clock() if self._clock is not None else None

    async def _fetch(self, method: str, sql: str, *args: Any) -> Any:
        """`method` of the driver's connection ("fetchval", "fetch") on the least busy lane."""
        lane = min(self._lanes, key=lambda candidate: candidate.waiting)
        lane.waiting += 1
        try:
            async with lane.lock:
                if lane.connection is None:
                    lane.connection = await self._engine.connect()
                    raw = await lane.connection.get_raw_connection()
                    lane.driver = raw.driver_connection
                try:
                    run = getattr(lane.driver, method)
                    if not self._in_transaction:
                        return await run(sql, *args)
                    async with lane.driver.transaction():
                        return await run(sql, *args)
                except BaseException:
                    await self._drop(lane, invalid=True)
                    raise
        finally:
            lane.waiting -= 1

    @staticmethod
    async def _drop(lane: _Lane, invalid: bool) -> None:
        connection, lane.connection, lane.driver = lane.connection, None, None
        if connection is None:
            return
        try:
            if invalid:
                await connection.invalidate()
            await connection.close()
        except Exception:  # already broken: the pool forgets it
            pass
