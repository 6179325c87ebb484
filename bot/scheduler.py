"""The clock: APScheduler 3 runs due work that lives in database rows.

Jobs hold no state: each run asks the database what is due (notifications to send,
urgent referrals to escalate), so a restart or a second worker loses or doubles nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from api.notify.dispatch import deliver_due, escalate_unclaimed
from api.notify.senders import EmailSender, Sender, WebhookSender
from bot.wiring import Services


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

    scheduler = AsyncIOScheduler(timezone="UTC")
    every = settings.notify_every_seconds
    scheduler.add_job(notify, "interval", seconds=every, max_instances=1, coalesce=True)
    scheduler.add_job(escalate, "interval", seconds=60, max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler
