"""Outbox repository: replies waiting for (or done with) delivery to a channel.

The web chat's cursor is a position in the person's own conversation: how many of its
messages the client has seen (`seen`, `page`). It never shows the table's ids, which are
shared by every conversation and would tell how busy the whole service is. Push channels
read `pending(channel)` and then call `mark_delivered` or `mark_failed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
from storage.types import utcnow

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, conversation_id: int, channel: str, body: dict[str, Any], status: str = PENDING
    ) -> OutboxMessage:
        message = OutboxMessage(
            conversation_id=conversation_id,
            channel=channel,
            body=dict(body),
            status=status,
            attempts=0,
            created_at=utcnow(),
            delivered_at=utcnow() if status == DELIVERED else None,
        )
        self._session.add(message)
        await self._session.flush()
        return message

    async def add_many(
        self,
        conversation_id: int,
        channel: str,
        bodies: Sequence[dict[str, Any]],
        status: str = PENDING,
    ) -> list[OutboxMessage]:
        """Queue several replies of one turn with a single INSERT; ids follow their order."""
        now = utcnow()
        messages = [
            OutboxMessage(
                conversation_id=conversation_id,
                channel=channel,
                body=dict(body),
                status=status,
                attempts=0,
                created_at=now,
                delivered_at=now if status == DELIVERED else None,
            )
            for body in bodies
        ]
        self._session.add_all(messages)
        await self._session.flush()
        return messages

    async def after(
        self, conversation_id: int, cursor: int, limit: int = 100
    ) -> list[OutboxMessage]:
        stmt = (
            select(OutboxMessage)
            .where(OutboxMessage.conversation_id == conversation_id, OutboxMessage.id > cursor)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return list((await self._session.scalars(stmt)).all())

    async def seen(self, conversation_id: int) -> int:
        """How many messages the conversation has: the cursor of a client that saw all."""
        stmt = select(func.count()).where(OutboxMessage.conversation_id == conversation_id)
        return int((await self._session.execute(stmt)).scalar_one())

    async def page(
        self, conversation_id: int, seen: int, limit: int = 100
    ) -> tuple[list[OutboxMessage], int]:
        """The conversation's messages after the first `seen`, and the new cursor. A
        cursor beyond the conversation's messages (a client's stale one) is taken as
        having seen them all."""
        total = await self.seen(conversation_id)
        if seen >= total:
            return [], total
        stmt = (
            select(OutboxMessage)
            .where(OutboxMessage.conversation_id == conversation_id)
            .order_by(OutboxMessage.id)
            .offset(seen)
            .limit(limit)
        )
        rows = list((await self._session.scalars(stmt)).all())
        return rows, seen + len(rows)

    async def latest_id(self, conversation_id: int) -> int:
        stmt = select(func.coalesce(func.max(OutboxMessage.id), 0)).where(
            OutboxMessage.conversation_id == conversation_id
        )
        return int((await self._session.execute(stmt)).scalar_one())

    async def pending(self, channel: str, limit: int = 100) -> list[OutboxMessage]:
        stmt = (
            select(OutboxMessage)
            .where(OutboxMessage.channel == channel, OutboxMessage.status == PENDING)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return list((await self._session.scalars(stmt)).all())

    async def mark_delivered(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        stmt = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)))
            .values(
                status=DELIVERED,
                attempts=OutboxMessage.attempts + 1,
                delivered_at=utcnow(),
            )
            .execution_options(synchronize_session="fetch")
        )
        await self._session.execute(stmt)

    async def mark_failed(self, ids: Sequence[int], max_attempts: int = 5) -> None:
        """Count a failed attempt; give up (status "failed") after `max_attempts`."""
        for message_id in ids:
            message = await self._session.get(OutboxMessage, message_id)
            if message is None or message.status != PENDING:
                continue
            message.attempts += 1
            if message.attempts >= max_attempts:
                message.status = FAILED
        await self._session.flush()
