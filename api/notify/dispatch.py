"""Deliver due notifications and escalate urgent referrals nobody claimed."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from api.notify.senders import Sender
from conversations.directory import Deployment
from conversations.i18n import N_, Catalogs
from storage import Database, OutboxRepository, ReferralRepository
from storage.models import Conversation, Notification
from storage.notifications import NotificationRepository, record_attempt, triage_summary

# Conseillers read French (issue 7); their notifications use the same catalogs.
STAFF_LANGUAGE: Final = "fr"


@cache
def _staff_catalogs() -> Catalogs:
    return Catalogs()


log = logging.getLogger(__name__)


async def deliver_due(db: Database, senders: Mapping[str, Sender], now: datetime) -> int:
    """Send every due notification once; failures are retried later with backoff."""
    sent = 0
    async with db.transaction() as session:
        for notification in await NotificationRepository(session).claim_due(now):
            if notification.kind == "telegram":
                # The conseiller's linked Telegram chat: its outbox, sent by the channel.
                await _to_linked_chat(session, int(notification.target), notification)
                record_attempt(notification, now, None)
                sent += 1
                continue
            sender = senders.get(notification.kind)
            error: str | None = f"no sender for {notification.kind}" if sender is None else None
            if sender is not None:
                try:
                    await sender(notification.target, notification.event, notification.payload)
                except Exception as failure:
                    error = f"{type(failure).__name__}: {failure}"
            record_attempt(notification, now, error)
            if error is None:
                sent += 1
            else:
                log.warning(
                    "notification %s failed (attempt %s)", notification.id, notification.attempts
                )
    return sent


STAFF_MESSAGE: Final = N_("Relais: {event} — referral #{referral_id}, {theme}, urgency {urgency}.")


async def _to_linked_chat(
    session: AsyncSession, conversation_id: int, notification: Notification
) -> None:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        return
    payload = notification.payload
    text = (
        _staff_catalogs()
        .gettext(STAFF_LANGUAGE, STAFF_MESSAGE)
        .format(
            event=notification.event,
            referral_id=payload.get("referral_id"),
            theme=payload.get("theme"),
            urgency=payload.get("urgency"),
        )
    )
    await OutboxRepository(session).add(
        conversation.id, conversation.channel, {"text": text, "buttons": [], "urgent": False}
    )


async def escalate_unclaimed(
    db: Database, deployment: Deployment, delay: timedelta, now: datetime
) -> int:
    """Urgent referrals still `new` after `delay` go to the structure's fallback contact."""
    escalated = 0
    async with db.transaction() as session:
        for referral in await ReferralRepository(session).unclaimed_urgent(now - delay):
            referral.escalated_at = now
            organisation = deployment.organisations.get(referral.structure or "")
            target = organisation.fallback_email if organisation else None
            if target:
                await NotificationRepository(session).enqueue(
                    referral_id=referral.id,
                    kind="email",
                    target=target,
                    event="escalation",
                    payload=triage_summary(referral),
                    now=now,
                )
            escalated += 1
    return escalated
