"""The indicators' queries: counts over a period, optionally for one structure.

First contacts, people accompanied, referrals by theme / urgency / outcome / language,
intakes by age band, source, language and status (minors, BPI, formerly ASE),
appointments by place, and the median time from a referral to its first contact. `qpv`
counts the intakes of people who said they live in a QPV (the neighbourhood question).
A year's figures add the seeds' tables (`storage/stats_tables.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Appointment, Conversation, Intake, Referral
from storage.scope import Scope
from storage.stats_tables import YearlyTables


def year_period(year: int) -> tuple[datetime, datetime]:
    """[1 January, next 1 January) in UTC."""
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _grouped(self, column: Any, *where: Any) -> dict[str, int]:
        rows = await self._session.execute(
            select(column, func.count()).where(*where).group_by(column)
        )
        return {str(key): int(count) for key, count in rows.all()}

    async def _hours_to_first_contact(self, *referrals: Any) -> list[float]:
        stmt = select(Referral.created_at, Referral.first_contact_at).where(
            *referrals, Referral.first_contact_at.is_not(None)
        )
        rows = (await self._session.execute(stmt)).all()
        return [(first - created).total_seconds() / 3600 for created, first in rows]

    async def indicators(self, start: datetime, end: datetime, scope: Scope) -> dict[str, Any]:
        """Every indicator of [start, end), within the scope: a structure's figures count
        its referrals, the intakes and first contacts (conversations begun) behind them,
        and the appointments of its services (storage/scope.py)."""
        referrals: tuple[Any, ...] = (Referral.created_at >= start, Referral.created_at < end)
        intakes: tuple[Any, ...] = (Intake.created_at >= start, Intake.created_at < end)
        conversations: tuple[Any, ...] = (
            Conversation.created_at >= start,
            Conversation.created_at < end,
        )
        if not scope.everything:
            referrals = (*referrals, *scope.where())
            intakes = (*intakes, Intake.id.in_(select(Referral.intake_id).where(*scope.where())))
            followed = select(Referral.conversation_id).where(*scope.where())
            conversations = (*conversations, Conversation.id.in_(followed))
        appointments = (
            *scope.appointments(),
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        session, grouped = self._session, self._grouped
        statuses = (await session.scalars(select(Intake.statuses).where(*intakes))).all()
        delays = await self._hours_to_first_contact(*referrals)
        people = func.count(func.distinct(Referral.conversation_id))
        return {
            "period": {"from": start.isoformat(), "to": end.isoformat()},
            "first_contacts": await session.scalar(
                select(func.count()).select_from(Conversation).where(*conversations)
            ),
            "people_accompanied": await session.scalar(select(people).where(*referrals)),
            "referrals": await session.scalar(
                select(func.count()).select_from(Referral).where(*referrals)
            ),
            "referrals_by_theme": await grouped(Referral.theme, *referrals),
            "referrals_by_urgency": await grouped(Referral.urgency, *referrals),
            "referrals_by_outcome": await grouped(
                func.coalesce(Referral.outcome, "open"), *referrals
            ),
            "referrals_by_language": await grouped(Referral.lang, *referrals),
            "intakes_by_age_band": await grouped(
                func.coalesce(Intake.age_band, "not_said"), *intakes
            ),
            "intakes_by_source": await grouped(func.coalesce(Intake.source, "direct"), *intakes),
            "intakes_by_language": await grouped(Intake.lang, *intakes),
            "minors": sum("minor" in s for s in statuses),
            "bpi": sum("bpi" in s for s in statuses),
            "formerly_ase": sum("formerly_ase" in s for s in statuses),
            "qpv": await session.scalar(
                select(func.count()).select_from(Intake).where(*intakes, Intake.qpv_resident)
            ),
            "appointments_by_place": await grouped(Appointment.place_id, *appointments),
            "median_hours_to_first_contact": round(median(delays), 2) if delays else None,
        }

    async def yearly(self, year: int, scope: Scope) -> dict[str, Any]:
        """The indicators of a calendar year, and the seeds' tables."""
        start, end = year_period(year)
        figures = await self.indicators(start, end, scope)
        tables = await YearlyTables(self._session).all(year, start, end, scope)
        return {**figures, "year": year, "tables": tables}
