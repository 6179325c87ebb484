"""Logs never hold what people write, their names, phone numbers or any token (issue 8).

A full journey with free text, a name, a phone number, a conseiller's reply quoting them
and the person's answer, with the admin token and the web chat session id in use — once
in-process with every logger captured at INFO, once through a real `relais serve`
whose whole output (uvicorn access log included) is scanned afterwards.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import httpx
import pytest

from storage import Database, TokenRepository
from support.chaos import RestartableServer
from support.webchat import WebChat

NAME = "Aïcha Benali-Durand"
PHONE = "06 12 34 56 78"
FREE_TEXT = "je dors chez une amie depuis trois semaines"
SECRET_KEY = "log-scan-secret-key-value"
# The test's own HTTP client logs its requests; those are not Relais logs.
CLIENT_LOGGERS = ("httpx", "httpcore")


async def _journey(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    chat = WebChat(client)
    await chat.start()
    await chat.tap("entry.language.fr")
    await chat.tap("agree")
    await chat.say(f"Bonjour, je m'appelle {NAME}, mon numéro est le {PHONE}")
    await chat.say("/menu")
    await chat.tap("menu.main.housing")
    await chat.say(FREE_TEXT)
    await chat.say("/menu")
    await chat.tap("menu.main.housing")
    await chat.tap("hosted_unstable")
    await chat.tap("18_25")
    await chat.say("Clermont-Ferrand")
    await chat.tap("low")
    await chat.tap("job_seeker")
    await chat.tap("contact")

    referrals = (await client.get("/api/v1/referrals", headers=headers)).json()
    referral = referrals[-1]["id"]
    reply = await client.post(
        f"/api/v1/referrals/{referral}/replies",
        json={"text": f"Bonjour {NAME}, je vous appelle au {PHONE} à 14h."},
        headers=headers,
    )
    assert reply.status_code == 201, reply.text
    later = await client.get(
        f"/webchat/sessions/{chat.session_id}/messages", params={"after": chat.cursor}
    )
    assert NAME in later.text and f"nav.reply.{referral}" in later.text
    chat.last = later.json()["messages"]  # the reply's "answer" button, as the page shows it
    await chat.tap(f"nav.reply.{referral}")
    await chat.say(f"Merci ! Mon autre numéro : {PHONE.replace(' ', '')}")
    assert (await client.get(f"/api/v1/referrals/{referral}", headers=headers)).status_code == 200
    return chat.session_id


def _secrets(session_id: str, token: str) -> list[str]:
    return [NAME, "Benali", PHONE, PHONE.replace(" ", ""), FREE_TEXT, SECRET_KEY, session_id, token]


def _leaks(text: str, secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if secret in text]


async def test_captured_logs_hold_no_personal_data_or_token(
    client: httpx.AsyncClient, admin_headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    session_id = await _journey(client, admin_headers)
    token = admin_headers["Authorization"].removeprefix("Bearer ")
    records = [r for r in caplog.records if not r.name.startswith(CLIENT_LOGGERS)]
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in records)
    assert not _leaks(text, [*_secrets(session_id, token), "test-key"])


async def test_server_output_holds_no_personal_data_or_token(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'logs.sqlite3'}"
    db = Database(url)
    try:
        await db.upgrade()
        async with db.transaction() as session:
            token = await TokenRepository(session).create("admin", name="logs")
    finally:
        await db.dispose()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "RELAIS_DATABASE_URL": url,
        "RELAIS_SECRET_KEY": SECRET_KEY,
        "RELAIS_SCHEDULER": "false",
        "RELAIS_ACCESS_LOG": "true",  # off by default; when an operator turns it on
    }
    server = RestartableServer(env, tmp_path, log_path=log)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
            session_id = await _journey(client, {"Authorization": f"Bearer {token}"})
    finally:
        server.stop()
    output = log.read_text(encoding="utf-8", errors="replace")
    assert "GET /webchat/sessions/…/messages" in output  # the access log is there, redacted
    assert not _leaks(output, _secrets(session_id, token))


async def test_the_access_log_is_off_by_default(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "RELAIS_ACCESS_LOG"},
        "RELAIS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'quiet.sqlite3'}",
        "RELAIS_SECRET_KEY": SECRET_KEY,
        "RELAIS_SCHEDULER": "false",
    }
    log = tmp_path / "server.log"
    server = RestartableServer(env, tmp_path, log_path=log)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
            started = await client.post("/webchat/sessions", json={"lang": "fr"})
            assert started.status_code in (200, 201), started.text
    finally:
        server.stop()
    output = log.read_text(encoding="utf-8", errors="replace")
    assert "Application startup complete" in output  # the server's own log is there
    assert "POST /webchat/sessions" not in output
    assert "GET /health" not in output
