"""Notification delivery: signed webhooks, retries with backoff, give-up after the limit."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from api.notify.dispatch import deliver_due
from api.notify.senders import SIGNATURE_HEADER, WebhookSender
from api.notify.webhooks import WebhookPolicy
from storage import Database
from storage.models import Notification
from storage.notifications import MAX_ATTEMPTS, NotificationRepository
from support.local_servers import free_port, webhook_receiver

SECRET = b"hook-secret"
# These tests deliver to a receiver on this machine, which a deployment's policy refuses
# (tests/api/test_api_webhook_guard.py).
LOOPBACK = WebhookPolicy(schemes=("http",), address_allowed=lambda address: address.is_loopback)


def _sender(timeout: float = 10.0) -> WebhookSender:
    return WebhookSender(SECRET, timeout=timeout, policy=LOOPBACK)


async def _enqueue(db: Database, target: str, now: datetime) -> None:
    async with db.transaction() as session:
        await NotificationRepository(session).enqueue(
            referral_id=None,
            kind="webhook",
            target=target,
            event="new_referral",
            payload={"referral_id": 7, "urgency": "urgent"},
            now=now,
        )


async def _notification(db: Database) -> Notification:
    async with db.transaction() as session:
        return (await session.scalars(select(Notification))).one()


async def test_webhook_is_signed_with_hmac_sha256(db: Database) -> None:
    now = datetime.now(UTC)
    async with webhook_receiver() as (received, url):
        await _enqueue(db, url, now)
        assert await deliver_due(db, {"webhook": _sender()}, now) == 1
    headers, body = received.requests[0]
    expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER.lower()] == expected
    assert json.loads(body) == {"event": "new_referral", "referral_id": 7, "urgency": "urgent"}
    assert (await _notification(db)).status == "sent"
    assert await deliver_due(db, {"webhook": _sender()}, now) == 0


async def test_failures_back_off_then_give_up(db: Database) -> None:
    now = datetime.now(UTC)
    dead = f"http://127.0.0.1:{free_port()}/nobody-listens"
    await _enqueue(db, dead, now)
    sender = {"webhook": _sender(timeout=2)}
    assert await deliver_due(db, sender, now) == 0
    first = await _notification(db)
    assert (first.status, first.attempts) == ("pending", 1)
    assert first.next_attempt_at == now + timedelta(seconds=30)
    assert await deliver_due(db, sender, now + timedelta(seconds=10)) == 0
    assert (await _notification(db)).attempts == 1
    moment = now
    for _ in range(MAX_ATTEMPTS - 1):
        moment = (await _notification(db)).next_attempt_at
        await deliver_due(db, sender, moment)
    final = await _notification(db)
    assert (final.status, final.attempts) == ("failed", MAX_ATTEMPTS)
    assert final.last_error


async def test_receiver_error_status_is_retried(db: Database) -> None:
    now = datetime.now(UTC)
    async with webhook_receiver() as (received, url):
        received.status = 500
        await _enqueue(db, url, now)
        assert await deliver_due(db, {"webhook": _sender()}, now) == 0
        received.status = 200
        later = now + timedelta(seconds=30)
        assert await deliver_due(db, {"webhook": _sender()}, later) == 1
    assert len(received.requests) == 2
