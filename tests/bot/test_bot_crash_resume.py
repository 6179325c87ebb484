"""A real `relais serve` killed with SIGKILL mid-journey resumes at the same step."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server(env: dict[str, str], cwd: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError("relais serve did not become healthy")
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _payloads(messages: list[dict[str, object]]) -> list[str]:
    return [str(b["payload"]) for m in messages for b in m["buttons"]]  # type: ignore[attr-defined]


def test_kill_9_mid_journey_then_resume(database_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "RELAIS_DATABASE_URL": database_url,
        "RELAIS_SECRET_KEY": "crash-test",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with _server(env, tmp_path, port) as process:
        created = httpx.post(f"{base}/webchat/sessions", json={"lang": "en"}).json()
        session = created["session_id"]
        url = f"{base}/webchat/sessions/{session}/messages"
        for payload in ["entry.language.en", "entry.consent.agree", "menu.main.housing"]:
            reply = httpx.post(url, json={"payload": payload}).json()
        reply = httpx.post(url, json={"payload": "housing.where_sleep.own_rental"}).json()
        assert "housing.own_problem.rent_arrears" in _payloads(reply["messages"])
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    with _server(env, tmp_path, port):
        resumed = httpx.post(url, json={"payload": "housing.own_problem.rent_arrears"})
        assert resumed.status_code == 200
        assert "housing.age.18_25" in _payloads(resumed.json()["messages"])
        history = httpx.get(url, params={"after": 0}).json()["messages"]
        assert sum("own_problem" in " ".join(_payloads([m])) for m in history) == 1
