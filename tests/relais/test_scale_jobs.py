"""Work done once with several instances on one PostgreSQL (issue 15).

Three instances (three `Services`, each with its own pool and identity) run the clock's
jobs at the same moment: notifications (rows claimed with SKIP LOCKED, e-mails paced by
the shared limiter) are sent once each, urgent referrals escalated once; a job under a
lease (retention, idle nudges) runs on one instance once per period, and again at once if
that run failed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from relais.scheduler import Job, guarded, jobs
from relais.settings import Settings
from relais.wiring import Services, start_services
from storage.limits import PostgresLimiter
from storage.models import Notification, Referral
from support.local_servers import smtp_sink
from support.postgres import fresh_postgres_database

pytestmark = pytest.mark.postgres


@pytest.fixture
async def instances(tmp_path: Path) -> AsyncIterator[list[Services]]:
    async with fresh_postgres_database() as url, smtp_sink() as (mailbox, port):
        settings = Settings(
            database_url=url,
            secret_key=SecretStr("jobs"),
            var_dir=tmp_path / "var",
            scheduler=False,
            smtp_port=port,
        )
        started = [await start_services(settings) for _ in range(3)]
        started[0].mailbox = mailbox  # type: ignore[attr-defined]
        try:
            yield started
        finally:
            for services in started:
                await services.close()


def _job(services: Services, name: str) -> Job:
    return next(job for job in jobs(services) if job.name == name)


async def test_the_clock_says_which_jobs_claim_rows_and_which_take_a_lease(
    instances: list[Services],
) -> None:
    services = instances[0]
    assert isinstance(services.limiter, PostgresLimiter)
    assert len({s.instance for s in instances}) == 3
    once = {job.name for job in jobs(services) if job.once}
    assert once == {"retention", "idle", "limits"}
    assert {"reminders", "notifications", "escalations"} <= {j.name for j in jobs(services)}


async def test_notifications_are_sent_once_by_three_instances(
    instances: list[Services],
) -> None:
    now = datetime.now(UTC)
    async with instances[0].db.transaction() as session:
        for n in range(20):
            session.add(
                Notification(
                    referral_id=None,
                    kind="email",
                    target="orientations@ml.example",
                    event="new_referral",
                    payload={"referral_id": n, "theme": "housing", "urgency": "normal"},
                    status="pending",
                    attempts=0,
                    next_attempt_at=now - timedelta(seconds=1),
                    created_at=now,
                )
            )
    runs = [guarded(s, _job(s, "notifications")) for s in instances]
    await asyncio.gather(*(run() for run in runs), *(run() for run in runs))
    mailbox = instances[0].mailbox  # type: ignore[attr-defined]
    ids = sorted(int(str(m["Subject"]).rsplit("#", 1)[1]) for m in mailbox.messages)
    assert ids == list(range(20))


async def test_urgent_referrals_are_escalated_once_by_three_instances(
    instances: list[Services],
) -> None:
    old = datetime.now(UTC) - timedelta(hours=2)
    async with instances[0].db.transaction() as session:
        for _ in range(12):
            session.add(
                Referral(
                    theme="housing",
                    urgency="urgent",
                    reason="journey",
                    structure="ml-cmv",
                    status="new",
                    lang="fr",
                    summary={},
                    created_at=old,
                )
            )
    runs = [guarded(s, _job(s, "escalations")) for s in instances]
    await asyncio.gather(*(run() for run in runs), *(run() for run in runs))
    async with instances[0].db.transaction() as session:
        escalations = await session.scalar(
            select(func.count()).select_from(Notification).where(Notification.event == "escalation")
        )
    assert escalations == 12


async def test_a_leased_job_runs_once_per_period_and_again_after_a_failure(
    instances: list[Services],
) -> None:
    ran: list[str] = []
    failing = [True]

    def job_for(services: Services) -> Job:
        async def run() -> None:
            await asyncio.sleep(0.05)  # long enough for the others to try meanwhile
            ran.append(services.instance)
            if failing[0]:
                failing[0] = False
                raise RuntimeError("this run failed")

        return Job("idle", timedelta(minutes=10), run, once=True)

    runs = [guarded(s, job_for(s)) for s in instances]
    results = await asyncio.gather(*(run() for run in runs), return_exceptions=True)
    assert len(ran) == 1 and sum(isinstance(r, RuntimeError) for r in results) == 1
    await asyncio.gather(*(run() for run in runs))  # the failure gave the lease back
    assert len(ran) == 2
    # The success keeps the lease for the period: the other instances do not run it (the
    # holder's own next tick, a period later, renews it).
    others = [run for s, run in zip(instances, runs, strict=True) if s.instance != ran[-1]]
    await asyncio.gather(*(run() for run in others))
    assert len(ran) == 2
