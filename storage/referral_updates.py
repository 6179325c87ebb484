"""One open referral per person and need (issue 18).

A new request from a conversation that already has an open referral on the same theme at
the same structure updates that referral: the new triage facts are merged in, the urgency
is raised (never lowered), a line goes to its history (the audit log, actor None: the
person) and the assigned conseiller is notified. Any other request is a new referral,
announced as usual and linked to the person's latest open one. The person is the
conversation: nothing here guesses that two conversations are one person.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.directory import Deployment
from storage.announcements import announce_referral
from storage.audit import AuditRepository
from storage.models import Referral
from storage.notifications import NotificationRepository, triage_summary
from storage.referrals import ReferralRepository
from storage.tokens import TokenRepository

URGENCY_RANK: Final = {"normal": 0, "urgent": 1}
UPDATED_EVENT: Final = "referral_updated"
# The person answered on a referral (also a closed one: nobody would see it otherwise).
PERSON_REPLIED_EVENT: Final = "person_replied"
# The history line an update writes in the audit log.
UPDATED_BY_PERSON: Final = "updated_by_person"
# Summary lists that grow with each request (the suggested services, the copy queues).
_MERGED_LISTS: Final = ("suggest", "also_roles", "also_structures")


async def file_referral(
    session: AsyncSession,
    deployment: Deployment,
    now: datetime,
    conversation_id: int,
    **fields: Any,
) -> Referral:
    """The referral this request lands in: the open one it updates, or a new one.
    `fields` are the `Referral` columns of the new request."""
    referrals = ReferralRepository(session)
    open_ones = await referrals.open_of(conversation_id)
    need = (fields["theme"], fields.get("structure"))
    same_need = next((r for r in open_ones if (r.theme, r.structure) == need), None)
    if same_need is not None:
        await _absorb(session, same_need, fields, now)
        return same_need
    referral = await referrals.add(conversation_id=conversation_id, **fields)
    if open_ones:
        await referrals.link(referral.id, open_ones[0].id)
    await announce_referral(session, referral, deployment, now)
    return referral


async def _absorb(
    session: AsyncSession, referral: Referral, fields: dict[str, Any], now: datetime
) -> None:
    before = referral.urgency
    referral.summary = merged_summary(referral.summary or {}, fields.get("summary") or {})
    referral.urgency = higher_urgency(before, fields.get("urgency", before))
    if fields.get("intake_id") is not None:
        referral.intake_id = fields["intake_id"]
    await session.flush()
    # Codes only: which facts came in, and the urgency move. Never the person's words.
    new_facts = sorted((fields.get("summary") or {}).get("facts", {}))
    await AuditRepository(session).record(
        None,
        UPDATED_BY_PERSON,
        "referral",
        referral.id,
        facts=new_facts,
        urgency_from=before,
        urgency_to=referral.urgency,
    )
    await notify_assigned(session, referral, now)


def merged_summary(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The old triage summary with the new request's facts over it; lists are joined."""
    merged = {**old, **new}
    merged["facts"] = {**old.get("facts", {}), **new.get("facts", {})}
    for key in _MERGED_LISTS:
        if key in old or key in new:
            merged[key] = list(dict.fromkeys([*old.get(key, []), *new.get(key, [])]))
    return merged


def higher_urgency(current: str, incoming: str) -> str:
    return incoming if URGENCY_RANK.get(incoming, 0) > URGENCY_RANK.get(current, 0) else current


async def notify_assigned(
    session: AsyncSession, referral: Referral, now: datetime, event: str = UPDATED_EVENT
) -> None:
    """Tell the conseiller the referral is assigned to (e-mail, Telegram) that it moved."""
    if referral.assigned_to is None:
        return
    conseiller = await TokenRepository(session).get(referral.assigned_to)
    if conseiller is None or conseiller.revoked_at is not None:
        return
    targets: list[tuple[str, str]] = []
    if conseiller.email:
        targets.append(("email", conseiller.email))
    if conseiller.telegram_conversation_id is not None:
        targets.append(("telegram", str(conseiller.telegram_conversation_id)))
    notifications = NotificationRepository(session)
    for kind, target in targets:
        await notifications.enqueue(
            referral_id=referral.id,
            kind=kind,
            target=target,
            event=event,
            payload=triage_summary(referral),
            now=now,
        )
