"""Referral repository: hand-offs of a case to a partner structure or a role queue.

A referral records why (reason), to whom (structure / role), by which routing rule, and a
summary dict meant for the professional. `search` is the conseillers' list: filtered,
limited to a `Scope` (one structure, or every structure for admins), urgent and new first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.model_casework import ReferralLink
from storage.models import Referral
from storage.scope import EVERY_STRUCTURE, Scope
from storage.types import utcnow

__all__ = ["EVERY_STRUCTURE", "ReferralFilters", "ReferralRepository", "Scope"]


@dataclass(frozen=True)
class ReferralFilters:
    """What a list of referrals is narrowed to; None (or empty) means "any"."""

    status: str | None = None
    theme: str | None = None
    urgency: str | None = None
    structure: str | None = None
    assigned_to: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    lang: str | None = None
    role: str | None = None  # the queue (team) it is routed to

    def where(self) -> list[ColumnElement[bool]]:
        equal: list[tuple[Any, object]] = [
            (Referral.status, self.status),
            (Referral.theme, self.theme),
            (Referral.urgency, self.urgency),
            (Referral.structure, self.structure),
            (Referral.assigned_to, self.assigned_to),
            (Referral.lang, self.lang),
            (Referral.role, self.role),
        ]
        clauses: list[ColumnElement[bool]] = [column == value for column, value in equal if value]
        if self.created_from:
            clauses.append(Referral.created_at >= self.created_from)
        if self.created_to:
            clauses.append(Referral.created_at < self.created_to)
        return clauses


# Built once: the referral turn runs it.
_OPEN_OF = (
    select(Referral)
    .where(Referral.conversation_id == bindparam("conversation_id"), Referral.status != "closed")
    .order_by(Referral.id.desc())
    .with_for_update()
)


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

    async def search(
        self, filters: ReferralFilters, scope: Scope, limit: int = 100, offset: int = 0
    ) -> tuple[list[Referral], int]:
        """One page of the referrals in scope that pass the filters, and how many there are
        in all. Urgent ones first, then new ones, then the most recent."""
        where = (*filters.where(), *scope.where())
        total = await self._session.scalar(select(func.count()).select_from(Referral).where(*where))
        urgent_first = (Referral.urgency != "urgent", Referral.status != "new", Referral.id.desc())
        page: Select[tuple[Referral]] = (
            select(Referral).where(*where).order_by(*urgent_first).limit(limit).offset(offset)
        )
        return [*(await self._session.scalars(page)).all()], int(total or 0)

    async def open_of(self, conversation_id: int) -> list[Referral]:
        """The person's open referrals, newest first, locked: a new request updates the
        one on the same need, or is linked to the newest (one statement for both)."""
        found = await self._session.scalars(_OPEN_OF, {"conversation_id": conversation_id})
        return [*found.all()]

    async def link(self, referral_id: int, linked_referral_id: int) -> None:
        self._session.add(
            ReferralLink(
                referral_id=referral_id, linked_referral_id=linked_referral_id, created_at=utcnow()
            )
        )
        await self._session.flush()

    async def linked_ids(self, referral_id: int) -> list[int]:
        """The referrals linked to this one, either way, oldest first."""
        rows = await self._session.execute(
            select(ReferralLink.referral_id, ReferralLink.linked_referral_id).where(
                (ReferralLink.referral_id == referral_id)
                | (ReferralLink.linked_referral_id == referral_id)
            )
        )
        return sorted({b if a == referral_id else a for a, b in rows.all()})

    async def locked(self, referral_id: int) -> Referral | None:
        """The referral, locked for the rest of the transaction (FOR UPDATE on PostgreSQL)."""
        return await self._session.get(Referral, referral_id, with_for_update=True)

    async def touch_first_contact(self, referral_id: int, now: datetime) -> None:
        """Record the first contact with the person, unless one is already recorded."""
        await self._session.execute(
            update(Referral)
            .where(Referral.id == referral_id, Referral.first_contact_at.is_(None))
            .values(first_contact_at=now)
            .execution_options(synchronize_session=False)
        )

    async def unclaimed_urgent(self, older_than: datetime, limit: int = 100) -> Sequence[Referral]:
        """Urgent referrals still new and never escalated, created before `older_than`;
        locked (SKIP LOCKED) so two workers never escalate the same one."""
        stmt = (
            select(Referral)
            .where(
                Referral.urgency == "urgent",
                Referral.status == "new",
                Referral.escalated_at.is_(None),
                Referral.created_at <= older_than,
            )
            .order_by(Referral.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self._session.scalars(stmt)).all()
