"""Conversation repository: one row per person and channel identity, with engine state.

`get_for_update` locks the row on PostgreSQL (SELECT ... FOR UPDATE) so that two messages
of the same person are processed one after the other; on SQLite the whole transaction is
already serialised by `Database.transaction()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation
from storage.types import utcnow


@dataclass(frozen=True)
class LockedConversation:
    id: int
    state: dict[str, Any]


_TABLE = Conversation.__table__
# Built once: every turn runs it.
_LOCK = (
    select(_TABLE.c.id, _TABLE.c.state)
    .where(_TABLE.c.person_key == bindparam("p_person_key"))
    .with_for_update()
)


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, conversation_id: int) -> Conversation | None:
        return await self._session.get(Conversation, conversation_id)

    async def get_for_update(self, person_key: str) -> Conversation | None:
        stmt = select(Conversation).where(Conversation.person_key == person_key)
        result = await self._session.execute(stmt.with_for_update())
        return result.scalar_one_or_none()

    async def lock(self, person_key: str) -> LockedConversation | None:
        """The row's id and state, locked like `get_for_update`, without an ORM object
        (the turn's hot path writes it back with storage/turns.py)."""
        row = (await self._session.execute(_LOCK, {"p_person_key": person_key})).one_or_none()
        return None if row is None else LockedConversation(row.id, row.state)

    async def create(
        self, person_key: str, channel: str, lang: str | None, state: dict[str, Any]
    ) -> Conversation:
        """Insert a conversation; raises IntegrityError if `person_key` already exists."""
        now = utcnow()
        conv = Conversation(
            person_key=person_key,
            channel=channel,
            lang=lang,
            state=dict(state),
            version=0,
            created_at=now,
            updated_at=now,
        )
        self._session.add(conv)
        await self._session.flush()
        return conv

    async def save(
        self,
        conv: Conversation,
        state: dict[str, Any],
        lang: str | None,
        consent: bool | None,
    ) -> Conversation:
        conv.state = dict(state)
        conv.lang = lang
        conv.consent = consent
        conv.version = conv.version + 1
        conv.updated_at = utcnow()
        await self._session.flush()
        return conv
