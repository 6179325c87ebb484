"""Inbox repository: inbound messages already handled, for idempotent webhooks.

A message is identified by (channel, message_key); the replies produced the first time are
stored so that a redelivered webhook gets the same answer without running the engine again.
Recording the same key twice raises IntegrityError (unique constraint).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboundMessage
from storage.types import utcnow


class InboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, channel: str, message_key: str) -> InboundMessage | None:
        stmt = select(InboundMessage).where(
            InboundMessage.channel == channel, InboundMessage.message_key == message_key
        )
        return (await self._session.execute(stmt)).scalar_one_or_none()

    async def record(
        self,
        channel: str,
        message_key: str,
        conversation_id: int,
        replies: list[dict[str, Any]],
    ) -> InboundMessage:
        message = InboundMessage(
            channel=channel,
            message_key=message_key,
            conversation_id=conversation_id,
            replies=list(replies),
            created_at=utcnow(),
        )
        self._session.add(message)
        await self._session.flush()
        return message
