"""Headless Debian Chromium driven by Playwright's Python API, for tests/web.

Nothing downloads a browser: Playwright launches /usr/bin/chromium (installed by
.ci/install-browser). Without it the browser tests are skipped locally and fail in CI.
Also: a real `relais serve` for the pages, admin tokens, and the screenshots the README
shows (docs/screenshots/, phone 390x844 and desktop 1280x800).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx
import pytest

from support.server import ROOT

CHROMIUM: Final = Path("/usr/bin/chromium")
CHROMIUM_ARGS: Final = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: Final = {"width": 390, "height": 844}
DESKTOP: Final = {"width": 1280, "height": 800}
SCREENSHOTS: Final = ROOT / "docs" / "screenshots"


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing (run .ci/install-browser)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class Relais:
    """A running `relais serve`: its address, environment, and an admin API client."""

    base: str
    env: dict[str, str]
    cwd: Path

    def create_token(self, *args: str) -> str:
        command = [sys.executable, "-m", "relais.cli", "admin", "create-token", *args]
        done = subprocess.run(
            command, env=self.env, cwd=self.cwd, capture_output=True, text=True, check=True
        )
        return done.stdout.splitlines()[-1]

    def admin_get(self, token: str, path: str, **params: Any) -> Any:
        response = httpx.get(
            f"{self.base}/api/v1{path}",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()


def screenshot(page: Any, name: str, full_page: bool = False) -> Path:
    """Save a screenshot for the README (docs/screenshots/NAME.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path
