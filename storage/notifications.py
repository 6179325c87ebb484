"""Notifications outbox for conseillers and structures: enqueue, claim due, record attempts.

A notification (e-mail, webhook, linked Telegram chat) is a row written in the same
transaction as the event it announces; the scheduler claims due rows (SKIP LOCKED on
PostgreSQL), sends them, and records each attempt with exponential backoff until
`MAX_ATTEMPTS`. Payloads carry ids and the triage summary, nothing personal.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Notification, Referral

MAX_ATTEMPTS = 8


def triage_summary(referral: Referral) -> dict[str, Any]:
    """What a notification says about a referral: no name, no free text of the person."""
    facts = referral.summary.get("facts", {}) if referral.summary else {}
    return {
        "referral_id": referral.id,
        "theme": referral.theme,
        "urgency": referral.urgency,
        "reason": referral.reason,
        "structure": referral.structure,
        "role": referral.role,
        "signals": list(facts.get("signal", [])),
        "lang": referral.lang,
        "link": f"/api/v1/referrals/{referral.id}",
    }


def record_attempt(notification: Notification, now: datetime, error: str | None) -> None:
    """Sent, or failed for now (retried after a growing delay), or failed for good."""
    notification.attempts += 1
    if error is None:
        notification.status = "sent"
        notification.sent_at = now
        notification.last_error = None
        return
    notification.last_error = error[:300]
    if notification.attempts >= MAX_ATTEMPTS:
        notification.status = "failed"
        return
    backoff = min(30 * 2 ** (notification.attempts - 1), 3600)
    notification.next_attempt_at = now + timedelta(seconds=backoff)


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enqueue(
        self,
        *,
        referral_id: int | None,
        kind: str,
        target: str,
        event: str,
        payload: dict[str, Any],
        now: datetime,
    ) -> Notification:
        notification = Notification(
            referral_id=referral_id,
            kind=kind,
            target=target,
            event=event,
            payload=payload,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        self._session.add(notification)
        await self._session.flush()
        return notification

    async def claim_due(self, now: datetime, limit: int = 50) -> list[Notification]:
        """Pending notifications due now; locked so two workers never send the same one."""
        stmt = (
            select(Notification)
            .where(Notification.status == "pending", Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [*(await self._session.scalars(stmt)).all()]
