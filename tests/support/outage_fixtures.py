"""Fixtures of the outage tests: a fresh PostgreSQL database behind a proxy the test cuts.

A test module opts in by overriding `database_url` with `proxied_url`, so the real app
reaches its database through the proxy; `proxy` is the switch.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from support.postgres import proxied_postgres_database
from support.tcp_proxy import TcpProxy


@pytest.fixture
async def proxied() -> AsyncIterator[tuple[str, TcpProxy]]:
    async with proxied_postgres_database() as pair:
        yield pair


@pytest.fixture
def proxied_url(proxied: tuple[str, TcpProxy]) -> str:
    return proxied[0]


@pytest.fixture
def proxy(proxied: tuple[str, TcpProxy]) -> TcpProxy:
    return proxied[1]
