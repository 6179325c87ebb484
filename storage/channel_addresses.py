"""Channel address repository: where to deliver a conversation's messages (sealed), and
whether the person can still be reached. The caller seals and opens addresses; this module
only stores opaque strings.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelAddress
from storage.types import utcnow


class ChannelAddressRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, conversation_id: int) -> ChannelAddress | None:
        return await self._session.get(ChannelAddress, conversation_id)

    async def save(self, conversation_id: int, sealed: str) -> bool:
        """Remember the address; a person who writes again is reachable again. A
        conversation's address does not change (the person key is derived from the chat),
        so a reachable one is not rewritten: no UPDATE on every turn. True when written."""
        row = await self.get(conversation_id)
        if row is None:
            self._session.add(
                ChannelAddress(conversation_id=conversation_id, address=sealed, updated_at=utcnow())
            )
        elif row.unreachable_at is not None:
            row.address, row.unreachable_at, row.updated_at = sealed, None, utcnow()
        else:
            return False
        await self._session.flush()
        return True

    async def mark_unreachable(self, conversation_id: int) -> None:
        stmt = (
            update(ChannelAddress)
            .where(ChannelAddress.conversation_id == conversation_id)
            .values(unreachable_at=utcnow(), updated_at=utcnow())
            .execution_options(synchronize_session="fetch")
        )
        await self._session.execute(stmt)

    async def unreachable(self) -> list[int]:
        stmt = select(ChannelAddress.conversation_id).where(
            ChannelAddress.unreachable_at.is_not(None)
        )
        return list((await self._session.scalars(stmt)).all())
