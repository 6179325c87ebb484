"""Audit log repository: who read or changed which case, and when.

Every read and change made through the admin API writes one entry in the same
transaction as the change itself. Like the other repositories, nothing here commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self,
        actor_id: int | None,
        action: str,
        resource: str,
        resource_id: int | None,
        **detail: Any,
    ) -> None:
        self._session.add(
            AuditEntry(
                actor_id=actor_id,
                action=action,
                resource=resource,
                resource_id=resource_id,
                detail=detail,
            )
        )
        await self._session.flush()

    async def search(
        self,
        *,
        actor_id: int | None = None,
        resource: str | None = None,
        resource_id: int | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[AuditEntry]:
        """Entries matching every given criterion, most recent first."""
        stmt = select(AuditEntry)
        if actor_id is not None:
            stmt = stmt.where(AuditEntry.actor_id == actor_id)
        if resource:
            stmt = stmt.where(AuditEntry.resource == resource)
        if resource_id is not None:
            stmt = stmt.where(AuditEntry.resource_id == resource_id)
        stmt = stmt.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
        return [*(await self._session.scalars(stmt)).all()]
