"""Is this error "the database is not there right now"?

Such errors are the caller's cue to fail cleanly and let the client retry (web chat: a
503 and a kind "try again"; Telegram: the update is not confirmed, so it comes again).
They are never a reason to drop a message. A bug (a constraint violated, a bad query)
is not one of them. The transaction that met the error was rolled back as a whole; the
pool replaces broken connections, so service resumes by itself once the database is
back.
"""

from __future__ import annotations

import sqlite3

from asyncpg import exceptions as pg
from sqlalchemy import exc

RETRY_AFTER_SECONDS = 5

_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, unreachable (ConnectionError is an OSError)
    TimeoutError,
    exc.TimeoutError,  # no connection free in the pool in time
    pg.PostgresConnectionError,  # CannotConnectNow, TooManyConnections, ...
    pg.InterfaceError,  # ConnectionDoesNotExist: closed in the middle of a query
    pg.AdminShutdownError,
    pg.CrashShutdownError,
)

# SQLite: the file is locked by another process for too long, or cannot be opened.
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database", "disk i/o error")


def database_unavailable(error: BaseException) -> bool:
    """True when `error` (or what caused it) means the database cannot be reached."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, _UNAVAILABLE):
            return True
        if isinstance(current, sqlite3.OperationalError) and any(
            text in str(current).lower() for text in _SQLITE_UNAVAILABLE
        ):
            return True
        if isinstance(current, exc.DBAPIError) and current.orig is not None:
            current = current.orig
            continue
        current = current.__cause__
    return False
