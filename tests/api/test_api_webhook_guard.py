"""Webhook URLs cannot reach inside the network (issue 20: SSRF through `notify.webhook`).

The directory refuses anything but https to a public host; the sender resolves the host
again at each send, refuses private addresses, connects to the address it checked, and
follows no redirect. Each refusal is shown against a real listener on this machine
(loopback is private: a deployment must never reach it), which receives nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from api.notify.dispatch import deliver_due
from api.notify.senders import WebhookSender
from api.notify.webhooks import WebhookPolicy
from conversations.directory import DEFAULT_DIRECTORY
from storage import Database
from storage.models import Notification
from storage.notifications import NotificationRepository
from support.local_servers import free_port, webhook_receiver
from support.structures import staff

SECRET = b"hook-secret"
CECLER_NOTIFY = 'notify: {email: "orientations@cecler.example",'


def _with_webhook(url: str) -> str:
    sample = DEFAULT_DIRECTORY.read_text(encoding="utf-8")
    return sample.replace(CECLER_NOTIFY, f'notify: {{webhook: "{url}", email: "x@cecler.example",')


async def _send(db: Database, sender: WebhookSender, url: str) -> Notification:
    now = datetime.now(UTC)
    async with db.transaction() as session:
        await NotificationRepository(session).enqueue(
            referral_id=None,
            kind="webhook",
            target=url,
            event="new_referral",
            payload={"referral_id": 7},
            now=now,
        )
    await deliver_due(db, {"webhook": sender}, now)
    async with db.transaction() as session:
        latest = select(Notification).order_by(Notification.id.desc()).limit(1)
        return (await session.scalars(latest)).one()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/hook",
        "https://127.0.0.1:{port}/hook",
        "https://localhost:{port}/hook",
        "https://[::1]:{port}/hook",
        "https://[::ffff:127.0.0.1]:{port}/hook",
        "https://0x7f.0.0.1:{port}/hook",
        "https://2130706433:{port}/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.5/hook",
        "https://metadata.google.internal/hook",
        "https://user:secret@hooks.example.org/hook",
        "file:///etc/passwd",
        "gopher://127.0.0.1:{port}/_hook",
        "ftp://hooks.example.org/hook",
    ],
)
async def test_the_directory_refuses_webhooks_that_are_not_https_to_a_public_host(
    client: httpx.AsyncClient, admin_headers: dict[str, str], url: str
) -> None:
    async with webhook_receiver() as (received, local):
        port = local.split(":")[2].split("/")[0]
        edited = _with_webhook(url.format(port=port))
        refused = await client.put(
            "/api/v1/directory", json={"yaml": edited}, headers=admin_headers
        )
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert "organisation cecler: notify.webhook" in detail and "\n" not in detail
    assert received.requests == []


async def test_the_sender_refuses_a_local_listener_even_if_the_directory_was_bypassed(
    db: Database,
) -> None:
    async with webhook_receiver() as (received, url):
        port = url.split(":")[2].split("/")[0]
        for target in (url, f"https://localhost:{port}/hook", f"https://127.0.0.1:{port}/hook"):
            notification = await _send(db, WebhookSender(SECRET, timeout=2), target)
            assert notification.status == "pending" and notification.attempts == 1
            assert "WebhookRefused" in (notification.last_error or "")
    assert received.requests == []


async def test_a_name_that_resolves_inside_is_refused_at_send_time(db: Database) -> None:
    """The directory accepted `hooks.example.org`; by the time of the send its DNS says
    127.0.0.1 (rebinding): the sender checks the address it is about to use."""

    async def rebound(host: str, port: int) -> list[str]:
        return ["203.0.113.7", "127.0.0.1"] if host == "hooks.example.org" else []

    policy = WebhookPolicy(resolve=rebound)
    async with webhook_receiver() as (received, _):
        notification = await _send(
            db, WebhookSender(SECRET, 2, policy), "https://hooks.example.org/h"
        )
    assert "private or reserved" in (notification.last_error or "")
    assert received.requests == []


async def test_the_checked_address_is_the_one_used_and_redirects_are_not_followed(
    db: Database,
) -> None:
    """With loopback allowed (for this test only), a name resolved by the policy reaches
    the listener at the address checked, with its own Host header; a redirect to another
    listener is a failed attempt, never followed."""

    async def local(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    policy = WebhookPolicy(
        schemes=("http",), address_allowed=lambda a: a.is_loopback, resolve=local
    )
    async with webhook_receiver() as (inside, inside_url), webhook_receiver() as (hop, hop_url):
        hop.status, hop.headers = 302, [(b"location", inside_url.encode())]
        port = hop_url.split(":")[2].split("/")[0]
        notification = await _send(
            db, WebhookSender(SECRET, 2, policy), f"http://hooks.test:{port}/h"
        )
    assert len(hop.requests) == 1 and hop.requests[0][0]["host"] == f"hooks.test:{port}"
    assert inside.requests == []
    assert notification.status == "pending" and "302" in (notification.last_error or "")


async def test_conseillers_read_the_directory_without_webhook_urls(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    secret_hook = f"https://hooks.cecler.example:{free_port()}/B-SECRET-HOOK"
    edited = _with_webhook(secret_hook)
    saved = await client.put("/api/v1/directory", json={"yaml": edited}, headers=admin_headers)
    assert saved.status_code == 200, saved.text
    a = (await staff(app, "conseiller", "ml-cmv")).headers
    shown = (await client.get("/api/v1/directory", headers=a)).json()["yaml"]
    assert "B-SECRET-HOOK" not in shown and 'webhook: "(hidden)"' in shown
    assert shown.count("\n") == edited.count("\n")  # comments and layout kept
    admin = (await client.get("/api/v1/directory", headers=admin_headers)).json()["yaml"]
    assert secret_hook in admin
