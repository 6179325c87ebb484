"""Subscription repository: who opted in to which announcements, and where.

A person who asks to hear about the outreach bus is subscribed to the "bus" topic for
their territory (or everywhere); announcing a stop reads its subscribers.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Subscription


class SubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def set(self, conversation_id: int, topic: str, territory: str | None, on: bool) -> None:
        await self._session.execute(
            delete(Subscription).where(
                Subscription.conversation_id == conversation_id, Subscription.topic == topic
            )
        )
        if on:
            self._session.add(
                Subscription(conversation_id=conversation_id, topic=topic, territory=territory)
            )
        await self._session.flush()

    async def subscribers(self, topic: str, territory: str | None) -> Sequence[Subscription]:
        stmt = select(Subscription).where(Subscription.topic == topic)
        if territory:
            stmt = stmt.where(
                or_(Subscription.territory == territory, Subscription.territory.is_(None))
            )
        return (await self._session.scalars(stmt)).all()
