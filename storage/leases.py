"""Leases: a named piece of work that one instance does at a time (issue 15).

A lease is a row (name, holder, expires_at). Taking it is one `INSERT … ON CONFLICT DO
UPDATE … WHERE` that succeeds when nobody holds the row, when the last holder's time is
up, or when the holder renews its own lease — so with N instances exactly one holds it,
and when that one dies (SIGKILL, a lost machine) another takes it once `expires_at` has
passed. It is plain SQL on a table (no session-level advisory lock), so it also works
through PgBouncer in transaction mode, and on SQLite.

Two uses:
- `lease(db, "retention", ttl, holder)` around a periodic job: the job runs only where
  the lease was taken, and the lease is kept until it expires (a failed run gives it
  back at once), so the job runs once per `ttl` for the whole deployment.
- `Lease` for a role held as long as the process lives (the Telegram poller and sender):
  `keep()` renews it in the background, `held` says whether to work right now, and
  `release()` hands it over at a graceful shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy import Column, String, Table, bindparam, text

from storage.db import Database
from storage.models import Base
from storage.types import UTCDateTime, utcnow

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]

LEASES = Table(
    "leases",
    Base.metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)

_TAKE = text(
    """
    INSERT INTO leases (name, holder, expires_at) VALUES (:name, :holder, :expires_at)
    ON CONFLICT (name) DO UPDATE
        SET holder = excluded.holder, expires_at = excluded.expires_at
        WHERE leases.expires_at <= :now OR leases.holder = excluded.holder
    RETURNING holder
    """
).bindparams(
    bindparam("expires_at", type_=UTCDateTime()),
    bindparam("now", type_=UTCDateTime()),
)
_RELEASE = text("DELETE FROM leases WHERE name = :name AND holder = :holder")


def new_holder() -> str:
    """An identity for one instance: host, process and a random part (pids are reused)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


async def take(db: Database, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Take or renew the lease until `now + ttl`; False while someone else holds it."""
    params = {"name": name, "holder": holder, "expires_at": now + ttl, "now": now}
    async with db.transaction() as session:
        return (await session.execute(_TAKE, params)).first() is not None


async def give_back(db: Database, name: str, holder: str) -> None:
    async with db.transaction() as session:
        await session.execute(_RELEASE, {"name": name, "holder": holder})


@asynccontextmanager
async def lease(
    db: Database, name: str, ttl: timedelta, holder: str, clock: Clock = utcnow
) -> AsyncIterator[bool]:
    """`async with lease(...) as held: if held: run()` — at most once per `ttl` anywhere."""
    held = await take(db, name, holder, ttl, clock())
    try:
        yield held
    except BaseException:
        if held:
            # The run failed: let the next instance (or the next tick) try again now.
            await asyncio.shield(give_back(db, name, holder))
        raise


class Lease:
    """A role held by one instance at a time, renewed every `ttl / 3` while alive."""

    def __init__(
        self,
        db: Database,
        name: str,
        holder: str,
        ttl: float = 10.0,
        clock: Clock = utcnow,
        retry_seconds: float = 1.0,
    ) -> None:
        self.name = name
        self.holder = holder
        self.ttl = timedelta(seconds=ttl)
        self._db = db
        self._clock = clock
        self._retry = retry_seconds
        self._until: datetime | None = None

    @property
    def held(self) -> bool:
        """Ours, and not about to run out (a margin of a tenth of the ttl)."""
        return self._until is not None and self._clock() < self._until - self.ttl / 10

    async def renew(self) -> bool:
        """One attempt to take or extend the lease. True when this instance holds it."""
        now = self._clock()
        try:
            taken = await take(self._db, self.name, self.holder, self.ttl, now)
        except Exception as error:  # the database is away: keep what we had, until it ends
            log.warning("lease %s: renewal failed (%s)", self.name, type(error).__name__)
            return self.held
        self._until = now + self.ttl if taken else None
        return taken

    async def keep(self) -> None:
        """Renew forever (a background task): every ttl / 3 while held, every
        `retry_seconds` while another instance holds it."""
        while True:
            was_held = self.held
            if await self.renew() and not was_held:
                log.info("lease %s taken by %s", self.name, self.holder)
            pause = self.ttl.total_seconds() / 3 if self.held else self._retry
            await asyncio.sleep(pause)

    async def release(self) -> None:
        """Graceful shutdown: hand the role over now rather than when the lease expires."""
        self._until = None
        try:
            await give_back(self._db, self.name, self.holder)
        except Exception as error:
            log.warning("lease %s: release failed (%s)", self.name, type(error).__name__)
