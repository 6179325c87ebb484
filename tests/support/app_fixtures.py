"""Fixtures for channel and API tests: the real app on a real database, a web chat driver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from relais.app import create_app
from relais.settings import Settings
from storage import TokenRepository
from support.webchat import WebChat


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=SecretStr("test-key"),
        var_dir=tmp_path / "var",
        scheduler=False,
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://relais.test") as http:
        yield http


@pytest.fixture
def chat(client: httpx.AsyncClient) -> WebChat:
    return WebChat(client)


@pytest.fixture
async def admin_headers(app: FastAPI) -> dict[str, str]:
    async with app.state.services.db.transaction() as session:
        token = await TokenRepository(session).create("admin", name="tests")
    return {"Authorization": f"Bearer {token}"}
