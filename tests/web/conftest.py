"""Fixtures of the browser tests: one real `relais serve` for the whole session and a
headless Chromium per test module (each test opens its own browser contexts)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from support.browser import CHROMIUM, CHROMIUM_ARGS, Relais, require_chromium
from support.server import ROOT, relais_server


@pytest.fixture(scope="session")
def relais(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Relais]:
    cwd = tmp_path_factory.mktemp("relais-web")
    env = {
        **os.environ,
        "RELAIS_DATABASE_URL": f"sqlite+aiosqlite:///{cwd / 'web.sqlite3'}",
        "RELAIS_SECRET_KEY": "browser-tests",
        "RELAIS_SCHEDULER": "false",
        "RELAIS_VAR_DIR": str(cwd / "var"),
        "PYTHONPATH": str(ROOT),
    }
    with relais_server(env, cwd) as (_, base):
        yield Relais(base, env, cwd)


# Per module, not per session: while Playwright's sync API is open, its event loop counts
# as running in this thread, and the async tests of other modules could not start.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def admin_token(relais: Relais) -> str:
    return relais.create_token("--role", "admin", "--name", "Awa Diallo")
