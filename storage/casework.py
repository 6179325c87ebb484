"""Casework data operations: assignment on duty, notifications outbox, audit entries.

Used by the runtime when a referral is created (assign, announce) and by the admin API
and the scheduler (deliver, escalate). Like the repositories, nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ApiToken, AuditEntry, Notification, Referral

MAX_ATTEMPTS = 8


def triage_summary(referral: Referral) -> dict[str, Any]:
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


async def assign_on_duty(session: AsyncSession, referral: Referral, now: datetime) -> None:
    """Round-robin among the structure's conseillers on duty for the referral's queue."""
    if referral.structure is None:
        return
    candidates = (
        await session.scalars(
            select(ApiToken).where(
                ApiToken.role == "conseiller",
                ApiToken.structure == referral.structure,
                ApiToken.on_duty.is_(True),
                ApiToken.revoked_at.is_(None),
            )
        )
    ).all()
    if referral.role:
        queued = [c for c in candidates if not c.queues or referral.role in c.queues]
        candidates = queued or list(candidates)
    live = [c for c in candidates if c.expires_at is None or c.expires_at > now]
    if not live:
        return
    oldest = min(
        live, key=lambda c: (c.last_assigned_at or datetime.min.replace(tzinfo=now.tzinfo), c.id)
    )
    referral.assigned_to = oldest.id
    oldest.last_assigned_at = now
    await session.flush()


async def enqueue(
    session: AsyncSession,
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
    session.add(notification)
    await session.flush()
    return notification


async def claim_due(session: AsyncSession, now: datetime, limit: int = 50) -> list[Notification]:
    """Pending notifications due now; locked so two workers never send the same one."""
    stmt = (
        select(Notification)
        .where(Notification.status == "pending", Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(stmt)).all())


def record_attempt(notification: Notification, now: datetime, error: str | None) -> None:
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


async def unclaimed_urgent(
    session: AsyncSession, older_than: datetime, limit: int = 100
) -> Sequence[Referral]:
    stmt = (
        select(Referral)
        .where(
            Referral.urgency == "urgent",
            Referral.status == "new",
            Referral.escalated_at.is_(None),
            Referral.created_at <= older_than,
        )
        .order_by(Referral.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(stmt)).all()


async def audit(
    session: AsyncSession,
    actor_id: int | None,
    action: str,
    resource: str,
    resource_id: int | None,
    **detail: Any,
) -> None:
    session.add(
        AuditEntry(
            actor_id=actor_id,
            action=action,
            resource=resource,
            resource_id=resource_id,
            detail=detail,
        )
    )
    await session.flush()


async def touch_first_contact(session: AsyncSession, referral_id: int, now: datetime) -> None:
    await session.execute(
        update(Referral)
        .where(Referral.id == referral_id, Referral.first_contact_at.is_(None))
        .values(first_contact_at=now)
        .execution_options(synchronize_session=False)
    )


async def link_staff_account(
    session: AsyncSession, code: str, conversation_id: int, now: datetime
) -> bool:
    """`/link CODE` from a chat: the account whose unexpired code it is gets this chat."""
    if not code:
        return False
    account = (
        await session.scalars(
            select(ApiToken).where(
                ApiToken.telegram_link_code == code,
                ApiToken.telegram_link_expires_at > now,
                ApiToken.revoked_at.is_(None),
            )
        )
    ).first()
    if account is None:
        return False
    account.telegram_conversation_id = conversation_id
    account.telegram_link_code = None
    account.telegram_link_expires_at = None
    await session.flush()
    return True
