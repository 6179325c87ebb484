"""Delivery claims on the outbox for push channels (Telegram).

`claim` moves a batch of pending messages to "sending" (rows locked with SKIP LOCKED on
PostgreSQL, so two workers never claim the same message) and returns each with the
person's sealed address; the dispatcher then marks each one delivered, failed, or
`release`s it back to pending. `reset` returns claims left behind by a crash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelAddress, OutboxMessage
from storage.outbox import PENDING

SENDING = "sending"


@dataclass(frozen=True)
class Delivery:
    message_id: int
    conversation_id: int
    body: dict[str, Any]
    address: str | None
    unreachable: bool


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, channel: str, limit: int = 50) -> list[Delivery]:
        stmt = (
            select(OutboxMessage, ChannelAddress)
            .outerjoin(
                ChannelAddress, ChannelAddress.conversation_id == OutboxMessage.conversation_id
            )
            .where(OutboxMessage.channel == channel, OutboxMessage.status == PENDING)
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(of=OutboxMessage, skip_locked=True)
        )
        rows = (await self._session.execute(stmt)).all()
        if not rows:
            return []
        await self._set_status([m.id for m, _ in rows], PENDING, SENDING)
        return [
            Delivery(
                message_id=message.id,
                conversation_id=message.conversation_id,
                body=dict(message.body),
                address=address.address if address else None,
                unreachable=bool(address and address.unreachable_at),
            )
            for message, address in rows
        ]

    async def release(self, ids: Sequence[int]) -> None:
        """Claimed messages go back to pending (not sent, or to be marked failed)."""
        if ids:
            await self._set_status(ids, SENDING, PENDING)

    async def reset(self, channel: str) -> None:
        stmt = (
            update(OutboxMessage)
            .where(OutboxMessage.channel == channel, OutboxMessage.status == SENDING)
            .values(status=PENDING)
            .execution_options(synchronize_session=False)
        )
        await self._session.execute(stmt)

    async def _set_status(self, ids: Sequence[int], old: str, new: str) -> None:
        stmt = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)), OutboxMessage.status == old)
            .values(status=new)
            .execution_options(synchronize_session="fetch")
        )
        await self._session.execute(stmt)
