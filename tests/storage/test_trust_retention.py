"""Retention with a clock (issue 8, storage/retention.py): inactive conversations are
erased like /forget, closed referrals lose their case file, old inbox rows go; recent
data is untouched, statistics survive, and a second run changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from relais.settings import Settings
from storage import ConversationRepository, Database, InboxRepository, IntakeRepository
from storage.models import (
    AuditEntry,
    Conversation,
    InboundMessage,
    Intake,
    Notification,
    Referral,
    ReferralMessage,
    ReferralNote,
)
from storage.referrals import ReferralRepository
from storage.retention import RetentionPolicy, RetentionReport, apply_retention

NOW = datetime(2027, 12, 1, 3, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=400)
RECENT = NOW - timedelta(days=10)


async def _case(db: Database, person: str, last_message: datetime) -> tuple[int, int, int]:
    """A conversation with an intake and a referral that has a note and a message."""
    async with db.transaction() as session:
        conv = await ConversationRepository(session).create(
            person, "web", "fr", {"answers": {"housing_situation": "street"}}
        )
        intake = await IntakeRepository(session).add(
            conversation_id=conv.id,
            theme="housing",
            answers={"housing_situation": "street"},
            age_band="18_25",
            commune="Aulnat",
            territory="clermont-auvergne-metropole",
            lang="fr",
            channel="web",
        )
        referral = await ReferralRepository(session).add(
            intake_id=intake.id,
            conversation_id=conv.id,
            theme="housing",
            urgency="urgent",
            reason="journey",
            lang="fr",
            summary={"facts": {"age_band": "18_25"}},
        )
        session.add(ReferralNote(referral_id=referral.id, body="called her, no answer"))
        session.add(ReferralMessage(referral_id=referral.id, direction="from_person", body="hi"))
        await InboxRepository(session).record("web", f"{person}:m1", conv.id, [{"text": "ok"}])
        conv.updated_at = last_message
        await session.flush()
        return conv.id, intake.id, referral.id


async def _close(db: Database, referral_id: int, when: datetime) -> None:
    async with db.transaction() as session:
        referral = await session.get(Referral, referral_id)
        assert referral is not None
        referral.status, referral.closed_at, referral.outcome = "closed", when, "housed"


async def _age_inbox(db: Database, when: datetime) -> None:
    async with db.transaction() as session:
        for row in (await session.scalars(select(InboundMessage))).all():
            row.created_at = when


async def test_retention_with_a_clock(db: Database) -> None:
    gone_conv, gone_intake, gone_referral = await _case(db, "inactive", OLD)
    kept_conv, closed_intake, closed_referral = await _case(db, "active-old-case", RECENT)
    _, fresh_intake, fresh_referral = await _case(db, "active", RECENT)
    await _close(db, closed_referral, OLD)
    await _close(db, fresh_referral, RECENT)
    await _age_inbox(db, NOW - timedelta(days=45))

    report = await apply_retention(db, NOW, RetentionPolicy(365, 365, 30), batch=1)
    assert report == RetentionReport(
        conversations_erased=1, referrals_anonymised=1, inbox_rows_deleted=2
    )

    async with db.transaction() as session:
        assert await session.get(Conversation, gone_conv) is None
        assert await session.get(Conversation, kept_conv) is not None
        # Erased like /forget: statistics stay, nothing personal.
        gone = await session.get(Referral, gone_referral)
        assert gone is not None and gone.summary == {} and gone.conversation_id is None
        assert gone.status == "closed"
        intake = await session.get(Intake, gone_intake)
        assert intake is not None and intake.answers == {} and intake.commune is None
        assert intake.age_band == "18_25" and intake.theme == "housing"
        # The old closed case of an active person: case file gone, the person stays.
        closed = await session.get(Referral, closed_referral)
        assert closed is not None and closed.summary == {} and closed.outcome == "housed"
        assert closed.conversation_id == kept_conv
        old_intake = await session.get(Intake, closed_intake)
        assert old_intake is not None and old_intake.answers == {}
        # Recent: untouched.
        fresh = await session.get(Referral, fresh_referral)
        assert fresh is not None and fresh.summary == {"facts": {"age_band": "18_25"}}
        recent_intake = await session.get(Intake, fresh_intake)
        assert recent_intake is not None and recent_intake.commune == "Aulnat"
        notes = await session.scalar(select(func.count(ReferralNote.id)))
        messages = await session.scalar(select(func.count(ReferralMessage.id)))
        assert (notes, messages) == (1, 1)  # only the recent case's
        assert await session.scalar(select(func.count(InboundMessage.id))) == 0
        assert await session.scalar(select(func.count(Intake.id))) == 3  # statistics survive

    assert await apply_retention(db, NOW, RetentionPolicy(365, 365, 30)) == RetentionReport()


async def test_nothing_is_due_before_its_time(db: Database) -> None:
    await _case(db, "someone", RECENT)
    await _age_inbox(db, RECENT)
    report = await apply_retention(db, NOW)
    assert report == RetentionReport()


async def test_the_clock_runs_retention(settings: Settings) -> None:
    from relais.scheduler import start_scheduler
    from relais.wiring import start_services

    services = await start_services(settings.model_copy(update={"retention_inbox_days": 7}))
    scheduler = start_scheduler(services)
    try:
        job = scheduler.get_job("retention")
        assert job is not None and job.trigger.interval == timedelta(hours=6)
        # A recorded message a month old, past the 7 days kept: the job's run removes it.
        month_ago = datetime.now(UTC) - timedelta(days=30)
        await _case(services.db, "someone", month_ago)
        await _age_inbox(services.db, month_ago)
        await job.func()
        async with services.db.transaction() as session:
            left = await session.scalar(select(func.count()).select_from(InboundMessage))
        assert left == 0
    finally:
        scheduler.shutdown(wait=False)
        await services.db.dispose()


async def test_old_notifications_and_audit_entries_go(db: Database) -> None:
    def notification(status: str, created: datetime) -> Notification:
        return Notification(
            kind="email",
            target="referent@example.org",
            event="new_referral",
            payload={"referral_id": 1},
            status=status,
            next_attempt_at=created,
            created_at=created,
        )

    async with db.transaction() as session:
        session.add_all(
            [
                notification("sent", OLD),
                notification("failed", OLD),
                notification("pending", OLD),  # never delivered: kept until it is
                notification("sent", RECENT),
                AuditEntry(actor_id=1, action="read", resource="referral", resource_id=1, at=OLD),
                AuditEntry(actor_id=1, action="read", resource="referral", at=RECENT),
            ]
        )

    report = await apply_retention(db, NOW)
    assert (report.notifications_deleted, report.audit_entries_deleted) == (2, 1)
    async with db.transaction() as session:
        left = (await session.scalars(select(Notification.status).order_by("id"))).all()
        assert left == ["pending", "sent"]
        assert (await session.scalars(select(AuditEntry.at))).one() == RECENT
    assert await apply_retention(db, NOW) == RetentionReport()
