"""Notes on a referral (between conseillers) and the messages exchanged with the person.

Both bodies are sealed at rest. A message is `to_person` (a conseiller's reply, sent
through the person's outbox) or `from_person` (their answer, recorded by the runtime).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Referral, ReferralMessage, ReferralNote


class NoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, referral_id: int, author_id: int | None, body: str) -> ReferralNote:
        note = ReferralNote(referral_id=referral_id, author_id=author_id, body=body)
        self._session.add(note)
        await self._session.flush()
        return note

    async def of(self, referral_id: int) -> list[ReferralNote]:
        """The referral's notes, oldest first."""
        stmt = select(ReferralNote).where(ReferralNote.referral_id == referral_id)
        return [*(await self._session.scalars(stmt.order_by(ReferralNote.id))).all()]


class MessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_to_person(
        self, referral_id: int, author_id: int, template: str | None, body: str
    ) -> ReferralMessage:
        message = ReferralMessage(
            referral_id=referral_id,
            direction="to_person",
            author_id=author_id,
            template=template,
            body=body,
        )
        self._session.add(message)
        await self._session.flush()
        return message

    async def add_from_person(self, referral_id: int, conversation_id: int, body: str) -> bool:
        """The person's answer, kept only on a referral of their own conversation."""
        referral = await self._session.get(Referral, referral_id)
        if referral is None or referral.conversation_id != conversation_id:
            return False
        self._session.add(
            ReferralMessage(referral_id=referral_id, direction="from_person", body=body)
        )
        await self._session.flush()
        return True

    async def of(self, referral_id: int) -> list[ReferralMessage]:
        """The messages of the referral, both ways, oldest first."""
        stmt = select(ReferralMessage).where(ReferralMessage.referral_id == referral_id)
        return [*(await self._session.scalars(stmt.order_by(ReferralMessage.id))).all()]
