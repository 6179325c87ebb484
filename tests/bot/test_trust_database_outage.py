"""The database goes away for a while (issue 8): requests fail cleanly with a 503 and
a kind "try again", nothing is half-written, and the service recovers by itself.

PostgreSQL (the database that can go away: SQLite is a local file) is reached through a
loopback proxy the test cuts — live connections dropped, new ones refused — and
restores (tests/support/tcp_proxy.py). The app is the real one, in-process.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from storage.models import Conversation, InboundMessage, Intake, OutboxMessage, Referral
from support.tcp_proxy import TcpProxy
from support.webchat import WebChat

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url(proxied_url: str) -> str:
    return proxied_url


async def _counts(app: FastAPI) -> dict[str, Any]:
    async with app.state.services.db.transaction() as session:
        counts: dict[str, Any] = {
            model.__name__: await session.scalar(select(func.count()).select_from(model))
            for model in (InboundMessage, OutboxMessage, Intake, Referral)
        }
        counts["version"] = await session.scalar(select(Conversation.version))
        return counts


async def _send(chat: WebChat, wanted: str, message_id: str) -> httpx.Response:
    """Tap an offered button, with an id as the page sends it; follow the chat on 200."""
    (payload,) = [p for p in chat.payloads() if p == wanted or p.endswith("." + wanted)]
    url = f"/webchat/sessions/{chat.session_id}/messages"
    response = await chat.client.post(url, json={"payload": payload, "message_id": message_id})
    if response.status_code == 200:
        chat.last, chat.cursor = response.json()["messages"], response.json()["cursor"]
    return response


def _unavailable(response: httpx.Response) -> bool:
    return response.status_code == 503 and response.headers.get("retry-after") == "5"


async def test_an_outage_fails_cleanly_and_the_service_recovers_by_itself(
    app: FastAPI,
    client: httpx.AsyncClient,
    chat: WebChat,
    admin_headers: dict[str, str],
    proxy: TcpProxy,
) -> None:
    await chat.start()
    await chat.tap("entry.language.en")
    await chat.tap("agree")
    await chat.tap("menu.main.housing")
    before = await _counts(app)

    # The database goes away: every kind of request fails with a 503, none with a 500.
    await proxy.cut()
    assert _unavailable(await _send(chat, "hosted_unstable", "m-1"))
    assert _unavailable(await _send(chat, "hosted_unstable", "m-1"))
    assert _unavailable(await client.post("/webchat/sessions", json={}))
    assert _unavailable(await client.get("/api/v1/referrals", headers=admin_headers))
    down = await client.get(f"/webchat/sessions/{chat.session_id}/messages")
    assert _unavailable(down) and "try again" in down.json()["detail"]
    # The page's own sentences need no database: the "try again" reaches the person in
    # their language.
    page = (await client.get("/webchat/ui", params={"lang": "ar"})).json()
    assert "حاول مرة أخرى بعد قليل" in page["strings"]["unavailable"]
    assert (await client.get("/health")).status_code == 200

    # Back: nothing of the failed message was written, and the same message (same id)
    # is now handled exactly once.
    await proxy.restore()
    assert await _counts(app) == before
    assert (await _send(chat, "hosted_unstable", "m-1")).status_code == 200
    replay = await client.post(
        f"/webchat/sessions/{chat.session_id}/messages",
        json={"payload": "housing.situation.hosted_unstable", "message_id": "m-1"},
    )
    assert replay.status_code == 200
    after = await _counts(app)
    assert after["InboundMessage"] == before["InboundMessage"] + 1
    assert after["version"] == before["version"] + 1

    await chat.say("20")
    await chat.say("Clermont-Ferrand")
    await chat.tap("none")
    await chat.tap("neet")
    await chat.skip_profile()
    # The database goes away in the middle of the turn that writes the referral (at its
    # INSERT, after the conversation's UPDATE): the whole turn is rolled back.
    before = await _counts(app)
    proxy.cut_when(b"INSERT INTO referrals")
    assert _unavailable(await _send(chat, "contact", "m-last"))
    assert proxy.cuts == 2
    await proxy.restore()
    assert await _counts(app) == before
    assert before["Referral"] == 0
    assert (await _send(chat, "contact", "m-last")).status_code == 200
    after = await _counts(app)
    assert (after["Intake"], after["Referral"]) == (1, 1)
    assert after["version"] == before["version"] + 1
    referrals = await client.get("/api/v1/referrals", headers=admin_headers)
    assert referrals.status_code == 200 and len(referrals.json()) == 1
