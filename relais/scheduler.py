"""The clock: APScheduler 3 runs due work that lives in database rows.

Jobs hold no state: each run asks the database what is due (notifications to send,
urgent referrals to escalate, appointment reminders), so a restart or a second worker
loses or doubles nothing.

With several instances every instance runs the clock. Notifications, escalations and
reminders claim their rows (`FOR UPDATE SKIP LOCKED`): each row is done by one instance.
Retention, idle nudges and the purge of the rate-limit table take a lease first
(storage/leases.py): one instance runs them, once per period; if it dies, another takes
the lease when it expires. E-mails and webhooks keep to a pace shared by all instances.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from api.notify.dispatch import deliver_due, escalate_unclaimed
from api.notify.senders import EmailSender, Sender, WebhookSender
from bot.idle import tend_idle_conversations
from bot.ratelimit import NOTIFY_KIND, NOTIFY_TARGET, Limiter
from bot.reminders import send_due_reminders
from relais.wiring import Services
from storage.leases import lease
from storage.limits import PostgresLimiter
from storage.retention import RetentionPolicy, apply_retention


def senders(services: Services) -> dict[str, Sender]:
    settings = services.settings
    return {
        "email": Paced(
            "email",
            EmailSender(settings.smtp_host, settings.smtp_port, settings.smtp_from),
            services.limiter,
        ),
        "webhook": Paced("webhook", WebhookSender(settings.webhook_key()), services.limiter),
    }


@dataclass(frozen=True)
class Paced:
    """A sender that keeps to the deployment's pace: per kind (the SMTP relay, webhooks)
    and per target (one mailbox, one endpoint), all instances together."""

    kind: str
    sender: Sender
    limiter: Limiter

    async def __call__(self, target: str, event: str, payload: dict[str, Any]) -> None:
        for key in (f"{NOTIFY_TARGET}:{target}", f"{NOTIFY_KIND}:{self.kind}"):
            wait = await self.limiter.take(key)
            if wait > 0:
                await asyncio.sleep(wait)
        await self.sender(target, event, payload)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[], Awaitable[object]]
    # True: run by one instance, once per `every` for the whole deployment (a lease).
    # False: every instance runs it; the rows it works on are claimed (SKIP LOCKED).
    once: bool = False


def guarded(services: Services, job: Job) -> Callable[[], Awaitable[None]]:
    """The job as the clock runs it: under its lease when it must run once."""
    ttl = job.every * 0.9  # this instance's next tick renews it; another's takes it over

    async def run() -> None:
        if not job.once:
            await job.run()
            return
        async with lease(services.db, f"job:{job.name}", ttl, services.instance) as held:
            if held:
                await job.run()

    return run


def jobs(services: Services) -> list[Job]:
    """Every job of the clock, with its period."""
    settings = services.settings
    outgoing = senders(services)
    delay = timedelta(minutes=settings.escalate_after_minutes)

    async def notify() -> None:
        await deliver_due(services.db, outgoing, datetime.now(UTC))

    async def escalate() -> None:
        await escalate_unclaimed(services.db, services.engine.deployment, delay, datetime.now(UTC))

    async def remind() -> None:
        await send_due_reminders(services.runtime, datetime.now(UTC))

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

    planned = [
        Job("retention", timedelta(hours=6), retain, once=True),
        Job("idle", timedelta(minutes=10), tend, once=True),
        Job("reminders", timedelta(seconds=settings.remind_every_seconds), remind),
        Job("notifications", timedelta(seconds=settings.notify_every_seconds), notify),
        Job("escalations", timedelta(seconds=60), escalate),
    ]
    if isinstance(services.limiter, PostgresLimiter):
        planned.append(Job("limits", timedelta(seconds=60), services.limiter.purge, once=True))
    return planned


def start_scheduler(services: Services) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    for job in jobs(services):
        seconds = job.every.total_seconds()
        run = guarded(services, job)
        scheduler.add_job(
            run, "interval", seconds=seconds, max_instances=1, coalesce=True, id=job.name
        )
    scheduler.start()
    return scheduler
