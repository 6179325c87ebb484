"""Retention: what the consent text promises, done by the clock (issue 8).

- A conversation without any message for `conversation_days` (365: "12 months after our
  last message, then it is deleted") is erased exactly like `/forget`
  (storage/privacy.py): state, messages and identifiers go, anonymous statistics stay.
- A referral closed for `closed_referral_days` loses its case file — triage summary,
  conseiller notes, messages with the person — and its intake loses the answers and the
  town, even if the person is still talking to Relais about something else.
- Inbox rows (kept so that a redelivered message gets the same answer) older than
  `inbox_days` are deleted: redeliveries happen within minutes, not weeks.
- Notifications sent or given up for `notification_days` are deleted (pending ones stay
  until delivered); audit entries older than `audit_days` are deleted (the CNIL
  recommends keeping access logs 6 months to a year).

Runs in batches, one transaction each; rows a person is using right now are skipped
(`FOR UPDATE SKIP LOCKED` on PostgreSQL) and picked up by the next run. Idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Text, cast, delete, exists, func, or_, select, update

from storage.db import Database
from storage.models import (
    AuditEntry,
    Base,
    Conversation,
    InboundMessage,
    Intake,
    Notification,
    Referral,
    ReferralMessage,
    ReferralNote,
)
from storage.privacy import erase_conversation


@dataclass(frozen=True)
class RetentionPolicy:
    conversation_days: int = 365
    closed_referral_days: int = 365
    inbox_days: int = 30
    notification_days: int = 90
    audit_days: int = 365


@dataclass
class RetentionReport:
    conversations_erased: int = 0
    referrals_anonymised: int = 0
    inbox_rows_deleted: int = 0
    notifications_deleted: int = 0
    audit_entries_deleted: int = 0


def _has_case_file() -> ColumnElement[bool]:
    """A referral still holding personal content (summary, notes or messages)."""
    return or_(
        func.length(cast(Referral.summary, Text)) > 2,  # more than "{}"
        exists().where(ReferralNote.referral_id == Referral.id),
        exists().where(ReferralMessage.referral_id == Referral.id),
    )


async def _erase_inactive(db: Database, before: datetime, batch: int) -> int:
    erased = 0
    while True:
        async with db.transaction() as session:
            stmt = (
                select(Conversation.id)
                .where(Conversation.updated_at < before)
                .order_by(Conversation.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
            ids = list((await session.scalars(stmt)).all())
            for conversation_id in ids:
                await erase_conversation(session, conversation_id)
        erased += len(ids)
        if len(ids) < batch:
            return erased


async def _anonymise_closed(db: Database, before: datetime, batch: int) -> int:
    done = 0
    while True:
        async with db.transaction() as session:
            stmt = (
                select(Referral)
                .where(Referral.status == "closed", Referral.closed_at < before, _has_case_file())
                .order_by(Referral.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
            referrals = list((await session.scalars(stmt)).all())
            ids = [r.id for r in referrals]
            if ids:
                await session.execute(delete(ReferralNote).where(ReferralNote.referral_id.in_(ids)))
                await session.execute(
                    delete(ReferralMessage).where(ReferralMessage.referral_id.in_(ids))
                )
                intakes = [r.intake_id for r in referrals if r.intake_id is not None]
                if intakes:
                    await session.execute(
                        update(Intake)
                        .where(Intake.id.in_(intakes))
                        .values(answers={}, commune=None)
                        .execution_options(synchronize_session=False)
                    )
                for referral in referrals:
                    referral.summary = {}
        done += len(ids)
        if len(ids) < batch:
            return done


async def _purge(db: Database, model: type[Base], *where: ColumnElement[bool]) -> int:
    async with db.transaction() as session:
        result = await session.execute(
            delete(model).where(*where).execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)


async def apply_retention(
    db: Database, now: datetime, policy: RetentionPolicy | None = None, batch: int = 200
) -> RetentionReport:
    """Apply the policy as of `now` (the scheduler passes the real clock, tests their own)."""
    policy = policy or RetentionPolicy()
    report = RetentionReport()
    report.conversations_erased = await _erase_inactive(
        db, now - timedelta(days=policy.conversation_days), batch
    )
    report.referrals_anonymised = await _anonymise_closed(
        db, now - timedelta(days=policy.closed_referral_days), batch
    )
    report.inbox_rows_deleted = await _purge(
        db, InboundMessage, InboundMessage.created_at < now - timedelta(days=policy.inbox_days)
    )
    report.notifications_deleted = await _purge(
        db,
        Notification,
        Notification.status.in_(("sent", "failed")),
        Notification.created_at < now - timedelta(days=policy.notification_days),
    )
    report.audit_entries_deleted = await _purge(
        db, AuditEntry, AuditEntry.at < now - timedelta(days=policy.audit_days)
    )
    return report
