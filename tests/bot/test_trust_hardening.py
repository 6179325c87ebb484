"""HTTP hardening (issue 8, bot/hardening.py): security headers, body size limit, rate
limits on the public web chat, typed text cleaned before the engine, /mydata not a dead
end. Through the real app, plus the middlewares alone with a fake clock."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.ratelimit import Bucket, Limits, TokenBuckets
from bot.webchat.ratelimit import RateLimit
from conversations.text_hygiene import clean_text
from relais.hardening import redact_path
from support.webchat import WebChat

# --- typed text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("\u202eAulnat\u202c", "Aulnat"),  # right-to-left override
        ("\u2066Clermont\u2069", "Clermont"),  # isolates
        ("a\x00b\x1b[31mc\x7f", "ab[31mc"),  # NUL, escape, DEL
        ("one\r\ntwo\u2028three", "one\ntwo\nthree"),  # line breaks kept as \n
        ("tab\there", "tab\there"),
        ("\ufeffhello", "hello"),  # BOM
        ("half \ud800 surrogate", "half  surrogate"),
        ("می\u200cخواهم", "می\u200cخواهم"),  # Persian zero-width non-joiner stays
        ("\u200fمرحبا", "\u200fمرحبا"),  # right-to-left mark stays
        ("👩\u200d👩\u200d👧 ok", "👩\u200d👩\u200d👧 ok"),  # emoji joiner stays
        ("  Je dors dehors !  ", "  Je dors dehors !  "),  # nothing else changes
    ],
)
def test_clean_text_removes_only_what_disguises(typed: str, kept: str) -> None:
    assert clean_text(typed) == kept


async def test_cleaned_before_the_engine(client: httpx.AsyncClient, chat: WebChat) -> None:
    await chat.start()
    await chat.tap("entry.language.en")
    await chat.tap("agree")
    await chat.tap("menu.main.housing")
    await chat.tap("own_rental")
    await chat.tap("rent_arrears")
    await chat.tap("18_25")
    url = f"/webchat/sessions/{chat.session_id}/messages"
    # JSON \u escapes can carry a lone surrogate: refused cleanly, never a server error.
    broken = json.dumps({"text": "Aulnat \ud800"})
    headers = {"content-type": "application/json"}
    assert (await client.post(url, content=broken, headers=headers)).status_code == 422
    await chat.say("\u202eAulnat\u202c\x00\x1b")  # the town, disguised
    assert "housing.resources.low" in chat.payloads(), chat.text()


# --- headers ------------------------------------------------------------------------


async def test_security_headers_on_pages_api_and_docs(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    for response in (page, await client.get("/health"), await client.get("/docs")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    health = await client.get("/health")
    assert health.headers["content-security-policy"].startswith("default-src 'none'")
    docs = await client.get("/docs")
    assert "cdn.jsdelivr.net" in docs.headers["content-security-policy"]


# --- body size ----------------------------------------------------------------------


async def test_oversized_body_is_refused_before_any_handler(
    client: httpx.AsyncClient, chat: WebChat
) -> None:
    await chat.start()
    url = f"/webchat/sessions/{chat.session_id}/messages"
    huge = {"text": "x" * (70 * 1024)}
    response = await client.post(url, json=huge)
    assert response.status_code == 413
    assert response.json() == {"detail": "request body too large"}
    assert response.headers["x-content-type-options"] == "nosniff"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        yield b'{"text": "'
        for _ in range(80):
            yield b"y" * 1024
        yield b'"}'

    streamed = await client.post(
        url, content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    fine = await client.post(url, json={"text": "hello"})
    assert fine.status_code == 200


async def test_directory_upload_may_be_larger(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    # The shipped directory (~100 KB: over 64 KiB, under the 1 MiB of this route) padded
    # with comments: accepted as a whole, not cut by the body limit.
    current = await client.get("/api/v1/directory", headers=admin_headers)
    assert current.status_code == 200
    text = current.json()["yaml"] + "\n" + "# padding\n" * 8_000
    body = json.dumps({"yaml": text})
    assert 64 * 1024 < len(body.encode()) < 1024 * 1024
    response = await client.put(
        "/api/v1/directory",
        content=body,
        headers={**admin_headers, "content-type": "application/json"},
    )
    assert response.status_code == 200, response.text


# --- rate limits --------------------------------------------------------------------


async def test_one_person_flooding_gets_429_others_do_not(client: httpx.AsyncClient) -> None:
    flooder, other = WebChat(client), WebChat(client)
    await flooder.start()
    await other.start()
    url = f"/webchat/sessions/{flooder.session_id}/messages"
    statuses = []
    for _ in range(200):
        response = await client.get(url, params={"after": 0})
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response.headers["retry-after"]) >= 1
            assert response.json()["detail"].startswith("too many requests")
            break
    assert statuses[-1] == 429 and statuses.count(200) >= 60
    calm = await client.get(f"/webchat/sessions/{other.session_id}/messages")
    assert calm.status_code == 200


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_refills_at_its_rate() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(Bucket(rate=2, burst=3), clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)
    assert buckets.take("b") == 0.0  # another key has its own bucket
    clock.now += 0.5
    assert buckets.take("a") == 0.0


def test_buckets_forget_the_least_recent_keys() -> None:
    buckets = TokenBuckets(Bucket(rate=1, burst=1), capacity=2, clock=FakeClock())
    for key in ("a", "b", "c"):
        buckets.take(key)
    assert buckets.take("a") == 0.0  # forgotten, so it starts full again
    assert buckets.take("c") > 0


async def _app_status(app: RateLimit, path: str, method: str, client: str) -> tuple[int, dict]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "path": path, "method": method, "client": (client, 1), "headers": []}
    await app(scope, receive, send)
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


async def _ok(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def test_rate_limits_per_ip_for_new_sessions_and_overall() -> None:
    clock = FakeClock()
    limits = Limits(
        per_ip=Bucket(rate=1, burst=5),
        new_sessions_per_ip=Bucket(rate=0.5, burst=2),
        per_person=Bucket(rate=1, burst=100),
    )
    app = RateLimit(_ok, limits, clock=clock)
    new = [await _app_status(app, "/webchat/sessions", "POST", "10.0.0.1") for _ in range(3)]
    assert [status for status, _ in new] == [200, 200, 429]
    assert new[2][1]["retry-after"] == "2"
    # Another address is not affected; the first is throttled overall after its burst of
    # five requests (refused ones count too: a flood pays for every try).
    assert (await _app_status(app, "/webchat/sessions", "POST", "10.0.0.2"))[0] == 200
    others = [(await _app_status(app, "/webchat/ui", "GET", "10.0.0.1"))[0] for _ in range(3)]
    assert others == [200, 200, 429]
    # Not the public web chat: never limited here.
    assert (await _app_status(app, "/api/v1/referrals", "GET", "10.0.0.1"))[0] == 200
    clock.now += 2
    assert (await _app_status(app, "/webchat/sessions", "POST", "10.0.0.1"))[0] == 200


def test_access_log_paths_lose_the_session_id() -> None:
    assert redact_path("/webchat/sessions/AbC-123_x/messages?after=4") == (
        "/webchat/sessions/…/messages?after=4"
    )
    assert redact_path("/webchat/sessions") == "/webchat/sessions"


# --- never a dead end ------------------------------------------------------------------


async def test_mydata_answer_offers_a_way_on(chat: WebChat) -> None:
    await chat.start()
    await chat.tap("entry.language.en")
    await chat.tap("agree")
    await chat.say("/mydata")
    assert "nav.menu" in chat.payloads(), chat.last


# --- path traversal -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/static/../settings.py",
        "/static/%2e%2e/settings.py",
        "/static/..%2fsettings.py",
        "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
        "/static//etc/passwd",
    ],
)
async def test_no_file_outside_the_static_folder(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code in (400, 404), (path, response.status_code)
    assert "SecretStr" not in response.text and "[project]" not in response.text
