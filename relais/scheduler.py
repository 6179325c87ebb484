"""The clock: APScheduler 3 runs due work that lives in database rows.

Jobs hold no state: each run asks the database what is due (notifications to send,
urgent referrals to escalate, appointment reminders), so a restart or a second worker
loses or doubles nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from api.notify.dispatch import deliver_due, escalate_unclaimed
from api.notify.reminders import send_due_reminders
from api.notify.senders import EmailSender, Sender, WebhookSender
from bot.idle import tend_idle_conversations
from relais.wiring import Services
from storage.retention import RetentionPolicy, apply_retention


def senders(services: Services) -> dict[str, Sender]:
    settings = services.settings
    return {
        "email": EmailSender(settings.smtp_host, settings.smtp_port, settings.smtp_from),
        "webhook": WebhookSender(settings.webhook_key()),
    }


def start_scheduler(services: Services) -> AsyncIOScheduler:
    settings = services.settings
    outgoing = senders(services)
    delay = timedelta(minutes=settings.escalate_after_minutes)

    async def notify() -> None:
        await deliver_due(services.db, outgoing, datetime.now(UTC))

    async def escalate() -> None:
        await escalate_unclaimed(services.db, services.engine.deployment, delay, datetime.now(UTC))

    async def remind() -> None:
        await send_due_reminders(services.db, services.engine, datetime.now(UTC))

    nudge_after = timedelta(hours=settings.idle_nudge_hours)
    expire_after = timedelta(days=settings.idle_expire_days)

    async def tend() -> None:
        await tend_idle_conversations(
            services.runtime, datetime.now(UTC), nudge_after, expire_after
        )

    policy = RetentionPolicy(
        settings.retention_conversation_days,
        settings.retention_closed_referral_days,
        settings.retention_inbox_days,
        settings.retention_notification_days,
        settings.retention_audit_days,
    )

    async def retain() -> None:
        await apply_retention(services.db, datetime.now(UTC), policy)

    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(retain, "interval", hours=6, max_instances=1, coalesce=True, id="retention")
    scheduler.add_job(tend, "interval", minutes=10, max_instances=1, coalesce=True)
    scheduler.add_job(remind, "interval", seconds=30, max_instances=1, coalesce=True)
    every = settings.notify_every_seconds
    scheduler.add_job(notify, "interval", seconds=every, max_instances=1, coalesce=True)
    scheduler.add_job(escalate, "interval", seconds=60, max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler
