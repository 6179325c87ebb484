"""Wrong tokens are limited per client address (issue 20: 400 random tokens in 2 s used to
get 400 × 401): past 20 failures, 429 with Retry-After; the address is logged hashed,
never as it is; on PostgreSQL the limit is shared by every instance."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from relais.app import create_app
from relais.settings import Settings

ATTACKER = ("203.0.113.66", 4242)
NEIGHBOUR = ("198.51.100.7", 4242)


@asynccontextmanager
async def _from(app: FastAPI, address: tuple[str, int]) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=address)
    async with httpx.AsyncClient(transport=transport, base_url="http://relais.test") as http:
        yield http


async def _guess(client: httpx.AsyncClient) -> httpx.Response:
    bearer = {"Authorization": f"Bearer {secrets.token_urlsafe(32)}"}
    return await client.get("/api/v1/referrals", headers=bearer)


async def test_wrong_tokens_from_one_address_get_429_with_retry_after(
    app: FastAPI, admin_headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="relais.auth")
    async with _from(app, ATTACKER) as attacker, _from(app, NEIGHBOUR) as neighbour:
        statuses = [(await _guess(attacker)).status_code for _ in range(400)]
        assert statuses[:20] == [401] * 20
        assert set(statuses[20:]) == {429}
        refused = await _guess(attacker)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        # Refused before its token is looked at: even a right one gets 429 from there.
        right = await attacker.get("/api/v1/referrals", headers=admin_headers)
        assert right.status_code == 429
        # Another address is not affected.
        assert (await _guess(neighbour)).status_code == 401
        assert (await neighbour.get("/api/v1/referrals", headers=admin_headers)).status_code == 200
    failures = [r.getMessage() for r in caplog.records if r.name == "relais.auth"]
    assert failures and all("authentication failed" in line for line in failures)
    assert ATTACKER[0] not in caplog.text and NEIGHBOUR[0] not in caplog.text
    hashed = {line.rsplit(" ", 1)[-1] for line in failures}
    assert len(hashed) == 2 and all(len(h) == 16 for h in hashed)


async def test_the_limit_is_shared_by_instances_on_postgresql(
    app: FastAPI, settings: Settings
) -> None:
    if app.state.services.db.is_sqlite:
        pytest.skip("one process on SQLite: the limit is kept in memory")
    other = create_app(settings)
    async with other.router.lifespan_context(other):
        async with _from(app, ATTACKER) as first, _from(other, ATTACKER) as second:
            assert [(await _guess(first)).status_code for _ in range(20)] == [401] * 20
            refused = await _guess(second)
            assert refused.status_code == 429 and "retry-after" in refused.headers
            async with _from(other, NEIGHBOUR) as neighbour:
                assert (await _guess(neighbour)).status_code == 401
