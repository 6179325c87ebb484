"""Referral repository: hand-offs of a case to a partner structure or a role queue.

A referral records why (reason), to whom (structure / role), by which routing rule, and a
summary dict meant for the professional. Listing is most recent first, optionally by status.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Referral
from storage.types import utcnow


class ReferralRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, **fields: Any) -> Referral:
        """Insert a referral; keyword names are the `Referral` columns."""
        fields.setdefault("created_at", utcnow())
        referral = Referral(**fields)
        self._session.add(referral)
        await self._session.flush()
        return referral

    async def list(
        self, limit: int = 100, offset: int = 0, status: str | None = None
    ) -> list[Referral]:
        stmt = select(Referral)
        if status is not None:
            stmt = stmt.where(Referral.status == status)
        stmt = stmt.order_by(Referral.created_at.desc(), Referral.id.desc())
        return [*(await self._session.scalars(stmt.limit(limit).offset(offset))).all()]
