"""Queue (team) repository: the teams of a structure and who belongs to them.

Membership is the account's `queues` list (`ApiToken.queues`), which the round robin
(`storage.assignment`) and the inbox's "my team" filter read.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ApiToken, Queue


class QueueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, queue_id: str, structure: str, name: str) -> Queue:
        queue = Queue(id=queue_id, structure=structure, name=name)
        self._session.add(queue)
        await self._session.flush()
        return queue

    async def get(self, queue_id: str) -> Queue | None:
        return await self._session.get(Queue, queue_id)

    async def of(self, structure: str | None) -> list[Queue]:
        """The queues of one structure, or of every structure (None)."""
        stmt = select(Queue).order_by(Queue.structure, Queue.id)
        if structure is not None:
            stmt = stmt.where(Queue.structure == structure)
        return [*(await self._session.scalars(stmt)).all()]

    async def remove(self, queue: Queue) -> None:
        """Delete a queue and take it out of every member's list."""
        for member in await self.members(queue.id):
            member.queues = [q for q in member.queues if q != queue.id]
        await self._session.delete(queue)
        await self._session.flush()

    async def members(self, queue_id: str) -> Sequence[ApiToken]:
        """The accounts that belong to a queue, revoked ones excepted."""
        stmt = select(ApiToken).where(ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)
        return [a for a in (await self._session.scalars(stmt)).all() if queue_id in a.queues]

    async def join(self, account: ApiToken, queue_id: str) -> None:
        if queue_id not in account.queues:
            account.queues = [*account.queues, queue_id]
            await self._session.flush()

    async def leave(self, account: ApiToken, queue_id: str) -> bool:
        if queue_id not in account.queues:
            return False
        account.queues = [q for q in account.queues if q != queue_id]
        await self._session.flush()
        return True
