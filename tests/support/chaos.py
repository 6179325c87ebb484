"""Chaos helpers: a `relais serve` that can be SIGKILLed and restarted on the same port,
and web chat clients that retry like a real page (same message id after a failure).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from support.local_servers import free_port
from support.profile_questions import rather_not_say

ROOT = Path(__file__).resolve().parents[2]


class RestartableServer:
    """One `relais serve` process at a time on a fixed port; kill -9 and start again."""

    def __init__(self, env: dict[str, str], cwd: Path, log_path: Path | None = None) -> None:
        self.env = {**env, "PYTHONPATH": str(ROOT)}
        self.cwd = cwd
        # Where the server's stdout and stderr go (its logs), appended across restarts.
        self.log_path = log_path
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0
        self.starts = 0

    def _spawn(self) -> None:
        output: Any = subprocess.DEVNULL
        if self.log_path is not None:
            output = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "relais.cli", "serve", "--port", str(self.port)],
                env=self.env,
                cwd=self.cwd,
                stdout=output,
                stderr=subprocess.STDOUT if self.log_path is not None else output,
            )
        finally:
            if self.log_path is not None:
                output.close()
        self.starts += 1

    def _wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"relais serve exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("relais serve did not become healthy")

    async def start(self) -> None:
        self._spawn()
        await asyncio.to_thread(self._wait_healthy)

    async def kill(self) -> None:
        """SIGKILL: no shutdown hook, no flush, whatever was in flight is cut."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            await asyncio.to_thread(self.process.wait, 30)
            self.kills += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@dataclass
class Counters:
    requests: int = 0
    failures: int = 0  # transport errors and 5xx answers, all retried


@dataclass
class Person:
    """One simulated person on the web chat, with the page's retry behaviour."""

    index: int
    client: httpx.AsyncClient
    counters: Counters
    session_id: str = ""
    cursor: int = 0
    last: list[dict[str, Any]] = field(default_factory=list)
    sent: int = 0
    # Everything received through GET ?after=cursor, in order (never re-fetched once seen).
    later: list[dict[str, Any]] = field(default_factory=list)

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        deadline = time.monotonic() + 90
        while True:
            self.counters.requests += 1
            try:
                response = await self.client.request(method, url, timeout=15, **kwargs)
                if response.status_code < 500:
                    return response
            except httpx.TransportError:
                pass
            self.counters.failures += 1
            if time.monotonic() > deadline:
                raise AssertionError(f"person {self.index}: {method} {url} kept failing")
            await asyncio.sleep(0.25)

    async def start(self, source: str) -> None:
        # Creating a session has no message id: a retry after a lost answer starts another
        # session, and the first one (language step, nothing kept) is simply abandoned.
        response = await self._request(
            "POST", "/webchat/sessions", json={"lang": "en", "source": source}
        )
        assert response.status_code == 201, response.text
        data = response.json()
        self.session_id, self.last, self.cursor = (
            data["session_id"],
            data["messages"],
            data["cursor"],
        )

    def payloads(self) -> list[str]:
        return [b["payload"] for m in self.last for b in m["buttons"]]

    def text(self) -> str:
        return "\n".join(m["text"] for m in self.last)

    async def send(self, body: dict[str, Any]) -> None:
        """One message with a fresh id, retried with that same id until answered."""
        self.sent += 1
        message = {**body, "message_id": f"p{self.index}-m{self.sent}"}
        url = f"/webchat/sessions/{self.session_id}/messages"
        response = await self._request("POST", url, json=message)
        assert response.status_code == 200, response.text
        data = response.json()
        self.last, self.cursor = data["messages"], max(self.cursor, data["cursor"])

    async def tap(self, wanted: str) -> None:
        for _ in range(12):
            skip = rather_not_say(self.payloads(), wanted)
            if skip is None:
                break
            await self.send({"payload": skip})
        offered = [p for p in self.payloads() if p == wanted or p.endswith("." + wanted)]
        assert offered, f"person {self.index}: no {wanted!r} in {self.payloads()}"
        await self.send({"payload": offered[0]})

    async def tap_prefix(self, prefix: str, pick: int = 0) -> None:
        offered = [p for p in self.payloads() if p.startswith(prefix)]
        assert offered, f"person {self.index}: no {prefix!r}* in {self.payloads()}"
        await self.send({"payload": offered[pick % len(offered)]})

    async def say(self, text: str) -> None:
        await self.send({"text": text})

    async def poll(self) -> None:
        """Fetch later messages; on success the cursor moves past everything received."""
        url = f"/webchat/sessions/{self.session_id}/messages"
        response = await self._request("GET", url, params={"after": self.cursor})
        assert response.status_code == 200, response.text
        data = response.json()
        self.later += data["messages"]
        self.cursor = max(self.cursor, data["cursor"])
