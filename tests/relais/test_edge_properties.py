"""Property tests at the edge (issue 20), on PostgreSQL (which refuses NUL in text where
SQLite takes it): whatever strings the public web chat and the admin API are sent — NUL,
lone surrogates, bidi overrides, other control characters, huge strings — they never
answer 500, and what staff wrote comes back without a NUL or a bidi override."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NASTY = ["\x00", "\ud800", "\udfff", "\u202e", "\u2066", "\u2069", "\ufeff", "\x1b", "\r", "é"]
PIECES = st.text(max_size=12) | st.sampled_from(NASTY) | st.just("=cmd|")
NASTY_TEXT = st.lists(PIECES, max_size=8).map("".join) | st.integers(60, 70_000).map(
    lambda n: "\u202e" * 3 + "x" * n
)
EXAMPLES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def pg_app(app: FastAPI) -> FastAPI:
    if app.state.services.db.is_sqlite:
        pytest.skip("the property holds on SQLite too; PostgreSQL is where NUL used to 500")
    return app


def _raw(text: str) -> str:
    """Percent-encoded bytes, lone surrogates included (as a hostile client sends them)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


@asynccontextmanager
async def _client(app: FastAPI, address: int) -> AsyncIterator[httpx.AsyncClient]:
    """A client of its own address: the web chat's per-address limits stay out of it."""
    peer = (f"10.{address >> 16 & 255}.{address >> 8 & 255}.{address & 255}", 4000)
    transport = httpx.ASGITransport(app=app, client=peer)
    async with httpx.AsyncClient(transport=transport, base_url="http://relais.test") as http:
        yield http


async def _send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    body: Any = None,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """JSON as a browser would escape it (lone surrogates as \\udxxx, NUL as \\u0000)."""
    content = None if body is None else json.dumps(body).encode()
    if params:
        # Long values cut at 8,000 bytes: clients and proxies stop at about that.
        url += "?" + "&".join(f"{key}={_raw(value)[:8000]}" for key, value in params.items())
    sent = {"content-type": "application/json", **(headers or {})}
    answer = await client.request(method, url, content=content, headers=sent)
    assert answer.status_code < 500, (method, url[:200], answer.status_code, answer.text[:300])
    return answer


@EXAMPLES
@given(
    text=NASTY_TEXT,
    message_id=NASTY_TEXT,
    lang=NASTY_TEXT,
    source=NASTY_TEXT,
    address=st.integers(0, 2**24 - 1),
)
async def test_the_public_web_chat_never_answers_500(
    pg_app: FastAPI, text: str, message_id: str, lang: str, source: str, address: int
) -> None:
    async with _client(pg_app, address) as client:
        await _send(client, "POST", "/webchat/sessions", {"lang": lang, "source": source})
        started = await _send(client, "POST", "/webchat/sessions", {"lang": "fr"})
        base = f"/webchat/sessions/{started.json()['session_id']}"
        said = await _send(
            client, "POST", f"{base}/messages", {"text": text, "message_id": message_id}
        )
        assert "\\u0000" not in said.text
        await _send(client, "POST", f"{base}/messages", {"payload": text, "message_id": lang})
        await _send(client, "GET", f"{base}/messages", params={"after": text})
        await _send(client, "GET", f"/webchat/sessions/{_raw(text)[:80] or 'x'}/messages")
        await _send(client, "GET", "/webchat/ui", params={"lang": text})


@EXAMPLES
@given(name=NASTY_TEXT, other=NASTY_TEXT, query=NASTY_TEXT)
async def test_the_admin_api_never_answers_500(
    pg_app: FastAPI,
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    name: str,
    other: str,
    query: str,
) -> None:
    admin: dict[str, Any] = {"headers": admin_headers}
    when = {"starts_at": "2031-03-04T14:00:00+01:00", "ends_at": "2031-03-04T16:00:00+01:00"}
    opening = {"kind": "one_off", "name": name, "address": other, "territory": query, **when}
    made = await _send(client, "POST", "/api/v1/openings", opening, **admin)
    if made.status_code == 201:
        assert not any(c in made.json()["name"] + made.json()["address"] for c in NASTY[:7])
    await _send(client, "POST", "/api/v1/openings", {**opening, "service": other}, **admin)
    closure = {"place_id": query, "reason": name, **when}
    closed = await _send(client, "POST", "/api/v1/closures", closure, **admin)
    if closed.status_code == 201:
        assert not any(c in closed.json()["reason"] for c in NASTY[:7])
    token = {"role": "conseiller", "structure": query, "name": name}
    await _send(client, "POST", "/api/v1/tokens", token, **admin)
    await _send(client, "POST", "/api/v1/tokens", {**token, "structure": "ml-cmv"}, **admin)
    await _send(client, "PATCH", "/api/v1/tokens/1", {"queues": [name], "email": other}, **admin)
    await _send(client, "PUT", "/api/v1/directory", {"yaml": name or "x"}, **admin)
    for url, params in (
        ("/api/v1/referrals", {"theme": query, "lang": name, "structure": other}),
        ("/api/v1/agenda", {"day": query, "place": name}),
        ("/api/v1/slots", {"place": query}),
        ("/api/v1/audit", {"resource": query}),
        ("/api/v1/stats", {"from": query, "format": "csv"}),
        (f"/api/v1/places/{_raw(query)[:60] or 'x'}/agenda.ics", {}),
    ):
        await _send(client, "GET", url, params=params, **admin)


@EXAMPLES
@given(text=NASTY_TEXT, structure=NASTY_TEXT)
async def test_casework_writes_never_answer_500(
    pg_app: FastAPI,
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    text: str,
    structure: str,
) -> None:
    started = await _send(client, "POST", "/webchat/sessions", {"lang": "en"})
    base = f"/webchat/sessions/{started.json()['session_id']}/messages"
    for payload in ("entry.language.en", "entry.consent.agree", "nav.human"):
        await _send(client, "POST", base, {"payload": payload})
    found = await _send(client, "GET", "/api/v1/referrals", headers=admin_headers)
    referral = f"/api/v1/referrals/{found.json()[0]['id']}"
    admin: dict[str, Any] = {"headers": admin_headers}
    note = await _send(client, "POST", f"{referral}/notes", {"body": text}, **admin)
    if note.status_code == 201:
        assert not any(c in note.json()["body"] for c in NASTY[:7])
    await _send(client, "POST", f"{referral}/replies", {"text": text}, **admin)
    await _send(client, "POST", f"{referral}/transfer", {"structure": structure}, **admin)
    await _send(client, "POST", f"{referral}/appointments", {"slot_key": text}, **admin)
