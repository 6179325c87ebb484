"""Database handle: async engine, Alembic upgrade and unit-of-work transactions.

`Database.transaction()` is the only way to get a session: it commits on success and rolls
back on error; repositories never commit. On SQLite, every transaction takes a process-wide
lock (one per database file) and starts with `BEGIN IMMEDIATE`, so concurrent writers in one
process queue up instead of failing with "database is locked".
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from sqlalchemy import event, exc, text
from sqlalchemy.engine import Connection, Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sealing
from storage.plain_turns import PlainTurns
from storage.plain_turns_postgres import PostgresPlainTurns
from storage.plain_turns_sqlite import SqlitePlainTurns
from storage.sealing import Keyring

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# pg_advisory_xact_lock key held while migrating ("relais" + "migr" as a 64-bit number).
MIGRATION_LOCK = {"key": 0x72656C6169736D67}

# asyncio.Lock is bound to one event loop, so locks are kept per loop, then per database.
_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)
# Lock keys held by the current task: re-entering transaction() would deadlock on SQLite.
_HELD: ContextVar[frozenset[str]] = ContextVar("relais_storage_held", default=frozenset())


def _lock_for(key: str) -> asyncio.Lock:
    per_loop = _LOCKS.setdefault(asyncio.get_running_loop(), {})
    return per_loop.setdefault(key, asyncio.Lock())


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 driver, decide when transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Erased personal data must not linger in free pages of the database file.
        cursor.execute("PRAGMA secure_delete=ON")
    finally:
        cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


# A pooled PostgreSQL connection that sat idle longer than this is pinged before use (the
# ping costs three round trips: BEGIN, ";", ROLLBACK). Busy connections skip it: if the
# server dropped one while it was in use, that transaction fails and rolls back, and the
# pool then replaces every connection older than the failure.
PING_IDLE_AFTER_SECONDS = 2.0
_IDLE_SINCE = "relais_idle_since"
CONNECT_TIMEOUT_SECONDS = 10
COMMAND_TIMEOUT_SECONDS = 30


def _mark_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dialect: Dialect, idle_after: float) -> Any:
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < idle_after:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool drops this and every older connection, then connects afresh.
            raise exc.InvalidatePoolError("stale pooled connection") from error

    return on_checkout


def _run_upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "heads")


def _private_file(path: Path) -> None:
    """The SQLite file readable by the service's user only (0600); SQLite gives its
    journal and WAL files the permissions of the database file."""
    if not path.exists():
        path.touch(mode=0o600)
    path.chmod(0o600)


POOL_SIZE: Final = 20
POOL_OVERFLOW: Final = 5


class Database:
    """One database (SQLite file or PostgreSQL) and its connection pool."""

    def __init__(
        self,
        url: str,
        ping_idle_after: float = PING_IDLE_AFTER_SECONDS,
        keyring: Keyring | None = None,
        plain_turns: bool = True,
        **engine_options: Any,
    ) -> None:
        """`keyring` seals free text at rest (storage/sealing.py); without one, a random key
        is used, so what this handle writes is readable by this handle only.
        `plain_turns=False` keeps every turn in a locked transaction (needed behind
        PgBouncer in transaction mode: storage/plain_turns_postgres.py uses prepared
        statements)."""
        parsed = make_url(url)
        self._is_sqlite = parsed.get_backend_name() == "sqlite"
        path, memory = "", False
        if self._is_sqlite:
            path = parsed.database or ""
            memory = path in ("", ":memory:") or path.startswith("file:")
            if not memory:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                _private_file(Path(path))
            self._lock_key = f"sqlite:{id(self)}" if memory else f"sqlite:{Path(path).resolve()}"
        else:
            self._lock_key = f"db:{id(self)}"
        if parsed.get_backend_name() == "postgresql":
            # A server that stops answering (packets dropped, not refused) must fail the
            # request, not hold it until TCP gives up: see storage/availability.py.
            connect_args: dict[str, Any] = {
                "timeout": CONNECT_TIMEOUT_SECONDS,
                "command_timeout": COMMAND_TIMEOUT_SECONDS,
            }
            engine_options["connect_args"] = connect_args | engine_options.get("connect_args", {})
            # Connections are kept, not churned: the default pool (5 + 10 overflow closed on
            # return) opened and closed a connection per request under load (issue 14).
            engine_options.setdefault("pool_size", POOL_SIZE)
            engine_options.setdefault("max_overflow", POOL_OVERFLOW)
        # Error messages and logs never carry the statement's values (personal data).
        engine_options.setdefault("hide_parameters", True)
        self._engine = create_async_engine(parsed, **engine_options)
        self._keyring = keyring or Keyring.ephemeral()
        sealing.attach(self._engine.sync_engine.dialect, self._keyring)
        if self._is_sqlite:
            event.listen(self._engine.sync_engine, "connect", _on_sqlite_connect)
            event.listen(self._engine.sync_engine, "begin", _on_sqlite_begin)
        elif not engine_options.get("pool_pre_ping"):
            pool = self._engine.sync_engine.pool
            event.listen(pool, "checkin", _mark_idle)
            event.listen(pool, "checkout", _ping_if_idle(self._engine.dialect, ping_idle_after))
        self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)
        self._plain_turns: PlainTurns | None = None
        if plain_turns and parsed.get_backend_name() == "postgresql":
            self._plain_turns = PostgresPlainTurns(self._engine)
        elif plain_turns and self._is_sqlite and not memory:
            self._plain_turns = SqlitePlainTurns(
                path, self._engine.dialect, self._guard, _on_sqlite_connect
            )

    @property
    def is_sqlite(self) -> bool:
        return self._is_sqlite

    @property
    def plain_turns(self) -> PlainTurns | None:
        """The fast path of plain turns (storage/plain_turns.py), or None."""
        return self._plain_turns

    @property
    def keyring(self) -> Keyring:
        return self._keyring

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @asynccontextmanager
    async def _guard(self) -> AsyncIterator[None]:
        held = _HELD.get()
        if self._lock_key in held:
            raise RuntimeError("Database.transaction() is not re-entrant; reuse the session")
        token = _HELD.set(held | {self._lock_key})
        try:
            if self._is_sqlite:
                async with _lock_for(self._lock_key):
                    yield
            else:
                yield
        finally:
            _HELD.reset(token)

    async def upgrade(self) -> None:
        """Apply the Alembic migrations up to head (a no-op when already there).

        On PostgreSQL the whole upgrade holds a transaction-level advisory lock: instances
        starting together (a rolling upgrade) migrate one after the other, and the later
        ones find the schema at head. The lock goes with the transaction (also through
        PgBouncer in transaction mode)."""
        async with self._guard(), self._engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), MIGRATION_LOCK)
            await conn.run_sync(_run_upgrade)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """Yield a session in a transaction: commit on success, roll back on error."""
        async with self._guard(), self._sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        if self._plain_turns is not None:
            await self._plain_turns.close()
        await self._engine.dispose()
