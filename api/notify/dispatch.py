"""Deliver due notifications and escalate urgent referrals nobody claimed."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from api.notify.senders import Sender
from conversations.directory import Deployment
from storage import Database, casework

log = logging.getLogger(__name__)


async def deliver_due(db: Database, senders: Mapping[str, Sender], now: datetime) -> int:
    """Send every due notification once; failures are retried later with backoff."""
    sent = 0
    async with db.transaction() as session:
        for notification in await casework.claim_due(session, now):
            sender = senders.get(notification.kind)
            error: str | None = f"no sender for {notification.kind}" if sender is None else None
            if sender is not None:
                try:
                    await sender(notification.target, notification.event, notification.payload)
                except Exception as failure:
                    error = f"{type(failure).__name__}: {failure}"
            casework.record_attempt(notification, now, error)
            if error is None:
                sent += 1
            else:
                log.warning(
                    "notification %s failed (attempt %s)", notification.id, notification.attempts
                )
    return sent


async def escalate_unclaimed(
    db: Database, deployment: Deployment, delay: timedelta, now: datetime
) -> int:
    """Urgent referrals still `new` after `delay` go to the structure's fallback contact."""
    escalated = 0
    async with db.transaction() as session:
        for referral in await casework.unclaimed_urgent(session, now - delay):
            referral.escalated_at = now
            organisation = deployment.organisations.get(referral.structure or "")
            target = organisation.fallback_email if organisation else None
            if target:
                await casework.enqueue(
                    session,
                    referral_id=referral.id,
                    kind="email",
                    target=target,
                    event="escalation",
                    payload=casework.triage_summary(referral),
                    now=now,
                )
            escalated += 1
    return escalated
