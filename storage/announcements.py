"""What happens to a new referral inside the turn's transaction: a conseiller on duty is
assigned (round-robin), and the structure (and that conseiller) are notified through the
notifications outbox. Notifications carry ids and the triage summary, nothing personal.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.directory import Deployment
from storage.models import Referral
from storage.notifications import NotificationRepository, triage_summary
from storage.tokens import TokenRepository


async def announce_referral(
    session: AsyncSession, referral: Referral, deployment: Deployment, now: datetime
) -> None:
    await assign_on_duty(session, referral, now)
    payload = triage_summary(referral)
    targets: list[tuple[str, str]] = []
    organisation = deployment.organisations.get(referral.structure or "")
    if organisation and organisation.notify_email:
        targets.append(("email", organisation.notify_email))
    if organisation and organisation.notify_webhook:
        targets.append(("webhook", organisation.notify_webhook))
    if referral.assigned_to is not None:
        conseiller = await TokenRepository(session).get(referral.assigned_to)
        if conseiller is not None and conseiller.email:
            targets.append(("email", conseiller.email))
        if conseiller is not None and conseiller.telegram_conversation_id is not None:
            targets.append(("telegram", str(conseiller.telegram_conversation_id)))
    notifications = NotificationRepository(session)
    for kind, target in dict.fromkeys(targets):
        await notifications.enqueue(
            referral_id=referral.id,
            kind=kind,
            target=target,
            event="new_referral",
            payload=payload,
            now=now,
        )


async def assign_on_duty(session: AsyncSession, referral: Referral, now: datetime) -> None:
    """Round-robin among the structure's conseillers on duty for the referral's queue."""
    if referral.structure is None:
        return
    candidates = list(await TokenRepository(session).on_duty(referral.structure))
    if referral.role:
        queued = [c for c in candidates if not c.queues or referral.role in c.queues]
        candidates = queued or candidates
    live = [c for c in candidates if c.expires_at is None or c.expires_at > now]
    if not live:
        return
    oldest = min(
        live, key=lambda c: (c.last_assigned_at or datetime.min.replace(tzinfo=now.tzinfo), c.id)
    )
    referral.assigned_to = oldest.id
    oldest.last_assigned_at = now
    await session.flush()
