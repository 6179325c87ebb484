"""The referral workflow: list, read, claim, assign, transfer, change of status, close.

A conseiller only ever sees their structure's referrals: anything else is `NotFound`,
never `Forbidden`. Each method is one transaction, and every read and change by anyone
is written to the audit log in it.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from api.casework.caller import Caller, audit
from api.casework.errors import Conflict, NotFound
from conversations.directory import Deployment
from storage import Database, IntakeRepository, ReferralRepository, TokenRepository
from storage.models import Intake, Referral
from storage.outcomes import OUTCOMES, Aid
from storage.referral_aids import replace_aid
from storage.referrals import ReferralFilters
from storage.types import utcnow

TRANSITIONS: Final[dict[str, set[str]]] = {
    "new": {"claimed", "in_progress", "closed"},
    "claimed": {"in_progress", "closed"},
    "in_progress": {"closed"},
    "closed": {"in_progress"},
}


async def visible_referral(session: AsyncSession, who: Caller, referral_id: int) -> Referral:
    """The referral, locked, if this caller may see it; `NotFound` otherwise (even if it
    exists in another structure)."""
    referral = await ReferralRepository(session).locked(referral_id)
    if referral is None or not who.scope.allows(referral):
        raise NotFound("referral not found")
    return referral


class ReferralService:
    def __init__(self, db: Database, who: Caller, deployment: Deployment) -> None:
        self._db, self._who, self._deployment = db, who, deployment

    async def search(
        self, filters: ReferralFilters, limit: int, offset: int
    ) -> tuple[list[Referral], int]:
        """A page of the referrals this caller may see, and how many match in all."""
        async with self._db.transaction() as session:
            found, total = await ReferralRepository(session).search(
                filters, self._who.scope, limit, offset
            )
            ids = [referral.id for referral in found]
            await audit(session, self._who, "list", "referral", None, count=len(found), ids=ids)
        return found, total

    async def intakes(self, limit: int, offset: int) -> list[Intake]:
        """The intakes behind the referrals this caller may see."""
        async with self._db.transaction() as session:
            found = await IntakeRepository(session).in_scope(self._who.scope, limit, offset)
            ids = [intake.id for intake in found]
            await audit(session, self._who, "list", "intake", None, count=len(found), ids=ids)
        return found

    async def read(self, referral_id: int) -> tuple[Referral, Intake | None]:
        async with self._db.transaction() as session:
            referral = await visible_referral(session, self._who, referral_id)
            intake = (
                await IntakeRepository(session).get(referral.intake_id)
                if referral.intake_id
                else None
            )
            await audit(session, self._who, "read", "referral", referral.id)
        return referral, intake

    async def claim(self, referral_id: int) -> Referral:
        """Take a new referral for oneself."""
        async with self._db.transaction() as session:
            referral = await visible_referral(session, self._who, referral_id)
            if referral.status != "new":
                raise Conflict(f"referral is {referral.status}")
            referral.status, referral.assigned_to = "claimed", self._who.token_id
            referral.claimed_at = utcnow()
            await audit(session, self._who, "claim", "referral", referral.id)
        return referral

    async def assign(self, referral_id: int, conseiller_id: int) -> Referral:
        """Give an open referral to an active conseiller of its structure."""
        async with self._db.transaction() as session:
            referral = await visible_referral(session, self._who, referral_id)
            target = await TokenRepository(session).get(conseiller_id)
            if (
                target is None
                or target.revoked_at is not None
                or target.role != "conseiller"
                or target.structure != referral.structure
            ):
                raise NotFound("no active conseiller with this id in the referral's structure")
            if referral.status == "closed":
                raise Conflict("referral is closed")
            referral.assigned_to = target.id
            if referral.status == "new":
                referral.status, referral.claimed_at = "claimed", utcnow()
            await audit(session, self._who, "assign", "referral", referral.id, to=target.id)
        return referral

    async def transfer(self, referral_id: int, structure: str, role: str | None) -> Referral:
        """Hand an open referral to another structure (and role queue): it is new there."""
        if structure not in self._deployment.organisations:
            raise NotFound("structure not found")
        if role is not None and self._deployment.roles.get(role) != structure:
            raise NotFound("role not found in that structure")
        async with self._db.transaction() as session:
            referral = await visible_referral(session, self._who, referral_id)
            if referral.status == "closed":
                raise Conflict("referral is closed")
            before = referral.structure
            referral.structure, referral.role = structure, role
            referral.status, referral.assigned_to, referral.claimed_at = "new", None, None
            await audit(
                session, self._who, "transfer", "referral", referral.id, frm=before, to=structure
            )
        return referral

    async def change_status(self, referral_id: int, status: str) -> Referral:
        """Move a referral along (claimed, in progress), or reopen a closed one."""
        if status == "closed":
            raise Conflict("a referral is closed with an outcome")
        return await self._move(referral_id, status, None)

    async def close(self, referral_id: int, outcome: str, aid: Aid | None = None) -> Referral:
        """Close with an outcome of the closed list (`storage/outcomes.py`) and the aid
        granted, if any."""
        if outcome not in OUTCOMES:
            raise Conflict(f"unknown outcome: {outcome}")
        return await self._move(referral_id, "closed", outcome, aid)

    async def _move(
        self, referral_id: int, status: str, outcome: str | None, aid: Aid | None = None
    ) -> Referral:
        async with self._db.transaction() as session:
            referral = await visible_referral(session, self._who, referral_id)
            if status not in TRANSITIONS[referral.status]:
                raise Conflict(f"cannot go from {referral.status} to {status}")
            referral.status = status
            referral.outcome = outcome
            referral.closed_at = utcnow() if status == "closed" else None
            await replace_aid(session, referral.id, aid)
            if referral.assigned_to is None and self._who.role == "conseiller":
                referral.assigned_to = self._who.token_id
            await audit(session, self._who, "status", "referral", referral.id, to=status)
        return referral
