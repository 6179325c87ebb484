"""Intake repository: the structured result of a guided conversation (theme, answers, needs).

Intakes hold no free-text identity: age band, commune and statuses only. They survive the
deletion of their conversation (conversation_id is set to NULL) for anonymous statistics.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Intake, Referral
from storage.referrals import Scope
from storage.types import utcnow

# Built once: the intake and referral turns run them, and building a select() (and its
# cache key) at every call was a measurable part of those turns' CPU (issue 14).
_LATEST_ON_THEME = (
    select(Intake)
    .where(Intake.conversation_id == bindparam("conversation_id"))
    .where(Intake.theme == bindparam("theme"))
    .order_by(Intake.created_at.desc(), Intake.id.desc())
    .limit(1)
)
_LATEST_ID = (
    select(Intake.id)
    .where(Intake.conversation_id == bindparam("conversation_id"))
    .order_by(
        (Intake.theme == bindparam("theme")).desc(), Intake.created_at.desc(), Intake.id.desc()
    )
    .limit(1)
)


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

    async def record(self, conversation_id: int, theme: str, **fields: Any) -> Intake:
        """The intake of this conversation and theme, updated with the new answers (a
        journey done again is the same need), or a new one. An intake behind a closed
        referral is history: a request after closing starts a new intake."""
        intake = await self.latest_for_conversation(conversation_id, theme)
        if intake is None or await self._closed_behind(intake.id):
            return await self.add(conversation_id=conversation_id, theme=theme, **fields)
        answers = {**intake.answers, **fields.pop("answers", {})}
        for name, value in fields.items():
            setattr(intake, name, value)
        intake.answers = answers
        await self._session.flush()
        return intake

    async def _closed_behind(self, intake_id: int) -> bool:
        closed = select(Referral.id).where(
            Referral.intake_id == intake_id, Referral.status == "closed"
        )
        return (await self._session.scalars(closed.limit(1))).first() is not None

    async def get(self, intake_id: int) -> Intake | None:
        return await self._session.get(Intake, intake_id)

    async def latest_for_conversation(
        self, conversation_id: int, theme: str | None = None
    ) -> Intake | None:
        """The conversation's latest intake, on `theme` when one is given."""
        if theme:
            found = await self._session.scalars(
                _LATEST_ON_THEME, {"conversation_id": conversation_id, "theme": theme}
            )
            return found.first()
        stmt = (
            select(Intake)
            .where(Intake.conversation_id == conversation_id)
            .where(*([Intake.theme == theme] if theme else []))
            .order_by(Intake.created_at.desc(), Intake.id.desc())
            .limit(1)
        )
        return (await self._session.scalars(stmt)).first()

    async def latest_id(self, conversation_id: int, theme: str) -> int | None:
        """The id of the conversation's latest intake on `theme`, else of its latest
        intake on any theme (one statement, no object loaded)."""
        found = await self._session.scalars(
            _LATEST_ID, {"conversation_id": conversation_id, "theme": theme}
        )
        return found.first()

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
