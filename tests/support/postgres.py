"""Throwaway PostgreSQL databases on the test server (RELAIS_TEST_PG_URL)."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from sqlalchemy.engine import URL, make_url

from support.tcp_proxy import TcpProxy

PG_ENV = "RELAIS_TEST_PG_URL"


def _pg_server_url() -> URL:
    raw = os.environ.get(PG_ENV, "").strip()
    if not raw:
        message = f"{PG_ENV} is not set (start a server with .ci/start-postgres)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return make_url(raw)


def _asyncpg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """Create a brand-new, empty PostgreSQL database; yield its URL; drop it afterwards."""
    server = _pg_server_url()
    name = f"relais_test_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(_asyncpg_dsn(server))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        url = server.set(drivername="postgresql+asyncpg", database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(_asyncpg_dsn(server))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@asynccontextmanager
async def proxied_postgres_database() -> AsyncIterator[tuple[str, TcpProxy]]:
    """A fresh database reached through a proxy the test can cut (the database "goes
    away") and restore; yields the URL through the proxy and the proxy."""
    async with fresh_postgres_database() as url:
        direct = make_url(url)
        proxy = TcpProxy(direct.host or "127.0.0.1", direct.port or 5432)
        await proxy.start()
        try:
            yield direct.set(port=proxy.port).render_as_string(hide_password=False), proxy
        finally:
            await proxy.close()
