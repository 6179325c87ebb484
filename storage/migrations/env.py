"""Alembic environment for the case store, normally driven by `Database.upgrade()`.

`Database.upgrade()` passes an open connection in `config.attributes["connection"]`. When
run from the alembic CLI instead, the URL comes from `sqlalchemy.url` or the environment
variable RELAIS_DATABASE_URL. SQLite uses batch mode so later ALTERs are portable.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _cli_url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("RELAIS_DATABASE_URL")
    if not url:
        raise RuntimeError("set sqlalchemy.url or RELAIS_DATABASE_URL to run alembic directly")
    return url


async def _run_from_cli() -> None:
    engine = create_async_engine(_cli_url(), poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_configure_and_run)
    finally:
        await engine.dispose()


def _run_offline() -> None:
    url = _cli_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _configure_and_run(connection)
elif context.is_offline_mode():
    _run_offline()
else:
    asyncio.run(_run_from_cli())
