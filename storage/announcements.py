"""What happens to a new referral inside the turn's transaction: a conseiller is assigned
(round robin within capacity, `storage.assignment`), and the structure (and that
conseiller) are notified through the notifications outbox. Notifications carry ids and
the triage summary, nothing personal.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.directory import Deployment
from storage.assignment import assign_new_referral
from storage.models import Referral
from storage.notifications import NotificationRepository, triage_summary
from storage.tokens import TokenRepository


async def announce_referral(
    session: AsyncSession, referral: Referral, deployment: Deployment, now: datetime
) -> None:
    await assign_new_referral(session, referral, now)
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
