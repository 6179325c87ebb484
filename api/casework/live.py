"""What changed in the inbox since the last look: the cheap endpoint the inbox polls.

The referrals in the caller's scope created after a given id (optionally only those of
the caller's queues), the newest id in scope, and how many urgent ones are still new:
the inbox refreshes its list when there is anything new and rings for an urgent one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from api.casework.caller import Caller
from storage import Database, TokenRepository
from storage.models import Referral

MAX_CHANGES = 50


@dataclass(frozen=True)
class Changes:
    latest: int
    urgent_waiting: int
    referrals: list[Referral]


class LiveService:
    def __init__(self, db: Database, who: Caller) -> None:
        self._db, self._who = db, who

    async def since(self, after_id: int, my_queues: bool) -> Changes:
        async with self._db.transaction() as session:
            scope = [*self._who.scope.where()]
            where = [*scope]
            if my_queues:
                account = await TokenRepository(session).get(self._who.token_id)
                where.append(Referral.role.in_(account.queues if account else []))
            newer = (
                select(Referral)
                .where(*where, Referral.id > after_id)
                .order_by(Referral.id)
                .limit(MAX_CHANGES)
            )
            found = [*(await session.scalars(newer)).all()]
            # The cursor is the scope's, so a poll of one's queues still moves on.
            latest = await session.scalar(select(func.max(Referral.id)).where(*scope))
            urgent = await session.scalar(
                select(func.count())
                .select_from(Referral)
                .where(*where, Referral.urgency == "urgent", Referral.status == "new")
            )
        return Changes(int(latest or 0), int(urgent or 0), found)
