"""Dated openings (outreach-bus stops, one-off slots) and closures (holidays) of places.

The conseillers' reads and withdrawals take the caller's `Scope` (storage/scope.py): an
opening belongs to the structure that runs its service, a closure to its place.
Reminders of appointments are `storage.reminders`; subscriptions to the bus's
announcements are `storage.subscriptions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Closure, Opening
from storage.scope import EVERY_STRUCTURE, Scope


class OpeningRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, **fields: Any) -> Opening:
        opening = Opening(**fields)
        self._session.add(opening)
        await self._session.flush()
        return opening

    async def get(self, opening_id: int, scope: Scope = EVERY_STRUCTURE) -> Opening | None:
        """The opening if it is in scope (None otherwise, even if it exists)."""
        opening = await self._session.get(Opening, opening_id)
        if opening is None or not scope.allows_opening(opening):
            return None
        return opening

    async def between(
        self,
        start: datetime,
        end: datetime,
        kind: str | None = None,
        scope: Scope = EVERY_STRUCTURE,
    ) -> Sequence[Opening]:
        stmt = select(Opening).where(
            *scope.openings(), Opening.ends_at > start, Opening.starts_at < end
        )
        if kind:
            stmt = stmt.where(Opening.kind == kind)
        return (await self._session.scalars(stmt.order_by(Opening.starts_at, Opening.id))).all()

    async def services_at(self, place_id: str) -> set[str]:
        """The services of the dated openings at a place (of every structure)."""
        stmt = select(Opening.service).where(Opening.place_id == place_id).distinct()
        return set((await self._session.scalars(stmt)).all())

    async def withdraw(self, opening_id: int) -> bool:
        """Delete an opening; False if there was none."""
        result = await self._session.execute(delete(Opening).where(Opening.id == opening_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def add_closure(self, **fields: Any) -> Closure:
        closure = Closure(**fields)
        self._session.add(closure)
        await self._session.flush()
        return closure

    async def closure(self, closure_id: int, scope: Scope = EVERY_STRUCTURE) -> Closure | None:
        """The closure if it is in scope (None otherwise, even if it exists)."""
        stmt = select(Closure).where(Closure.id == closure_id, *scope.closures())
        return (await self._session.scalars(stmt)).first()

    async def reopen(self, closure_id: int) -> bool:
        """Delete a closure; False if there was none."""
        result = await self._session.execute(delete(Closure).where(Closure.id == closure_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def closures(self, scope: Scope = EVERY_STRUCTURE) -> Sequence[Closure]:
        """The closures in scope, earliest first."""
        stmt = select(Closure).where(*scope.closures()).order_by(Closure.starts_at, Closure.id)
        return (await self._session.scalars(stmt)).all()

    async def closures_between(self, start: datetime, end: datetime) -> Sequence[Closure]:
        stmt = select(Closure).where(Closure.ends_at > start, Closure.starts_at < end)
        return (await self._session.scalars(stmt)).all()
