"""Intake repository: the structured result of a guided conversation (theme, answers, needs).

Intakes hold no free-text identity: age band, commune and statuses only. They survive the
deletion of their conversation (conversation_id is set to NULL) for anonymous statistics.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Intake, Referral
from storage.referrals import Scope
from storage.types import utcnow


class IntakeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, **fields: Any) -> Intake:
        """Insert an intake; keyword names are the `Intake` columns."""
        fields.setdefault("created_at", utcnow())
        intake = Intake(**fields)
        self._session.add(intake)
        await self._session.flush()
        return intake

    async def get(self, intake_id: int) -> Intake | None:
        return await self._session.get(Intake, intake_id)

    async def latest_for_conversation(self, conversation_id: int) -> Intake | None:
        stmt = (
            select(Intake)
            .where(Intake.conversation_id == conversation_id)
            .order_by(Intake.created_at.desc(), Intake.id.desc())
            .limit(1)
        )
        return (await self._session.scalars(stmt)).first()

    async def list(self, limit: int = 100, offset: int = 0) -> list[Intake]:
        """Most recent first."""
        stmt = (
            select(Intake)
            .order_by(Intake.created_at.desc(), Intake.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [*(await self._session.scalars(stmt)).all()]

    async def in_scope(self, scope: Scope, limit: int = 100, offset: int = 0) -> list[Intake]:
        """The intakes behind the referrals in scope (every intake for admins), newest id
        first."""
        stmt = select(Intake).order_by(Intake.id.desc()).limit(limit).offset(offset)
        if not scope.everything:
            ours = select(Referral.intake_id).where(*scope.where())
            stmt = stmt.where(Intake.id.in_(ours))
        return [*(await self._session.scalars(stmt)).all()]
