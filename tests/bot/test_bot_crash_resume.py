"""A real `relais serve` killed with SIGKILL mid-journey resumes at the same step."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx

from support.local_servers import free_port
from support.server import relais_server


def _payloads(messages: list[dict[str, object]]) -> list[str]:
    return [str(b["payload"]) for m in messages for b in m["buttons"]]  # type: ignore[attr-defined]


def test_kill_9_mid_journey_then_resume(database_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "RELAIS_DATABASE_URL": database_url,
        "RELAIS_SECRET_KEY": "crash-test",
    }
    port = free_port()
    with relais_server(env, tmp_path, port) as (process, base):
        created = httpx.post(f"{base}/webchat/sessions", json={"lang": "en"}).json()
        session = created["session_id"]
        url = f"{base}/webchat/sessions/{session}/messages"
        for payload in ["entry.language.en", "entry.consent.agree", "menu.main.housing"]:
            reply = httpx.post(url, json={"payload": payload}).json()
        reply = httpx.post(url, json={"payload": "housing.where_sleep.own_rental"}).json()
        assert "housing.own_problem.rent_arrears" in _payloads(reply["messages"])
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    with relais_server(env, tmp_path, port):
        resumed = httpx.post(url, json={"payload": "housing.own_problem.rent_arrears"})
        assert resumed.status_code == 200
        assert "housing.age.18_25" in _payloads(resumed.json()["messages"])
        history = httpx.get(url, params={"after": 0}).json()["messages"]
        assert sum("own_problem" in " ".join(_payloads([m])) for m in history) == 1
