"""Who takes a new referral: round robin within capacity among its queue's members, an
urgent one to whoever is on duty, and nobody when nobody is available.

Members of the referral's queue are the structure's conseillers who joined it
(`ApiToken.queues`); a conseiller who joined no queue takes the structure's referrals
while on duty (the rule before teams). A normal referral goes to the member, under their
`max_open`, who was given one the longest ago (then the lowest id); an urgent one to the
member on duty given one the longest ago, whatever their load. Nobody → it stays
unassigned in its queue, for the inbox's live list.

Race-safe: the structure's conseiller rows are locked (FOR UPDATE, in id order) before
the open referrals are counted, so two referrals created at once on PostgreSQL are
dealt one after the other and see each other. SQLite serialises writers anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ApiToken, Referral

_NEVER = datetime.min.replace(tzinfo=UTC)
# Built once: every new referral with a structure runs it.
_LOCKED_CONSEILLERS = (
    select(ApiToken)
    .where(
        ApiToken.role == "conseiller",
        ApiToken.structure == bindparam("structure"),
        ApiToken.revoked_at.is_(None),
    )
    .order_by(ApiToken.id)
    .with_for_update()
    .execution_options(populate_existing=True)
)


async def assign_new_referral(session: AsyncSession, referral: Referral, now: datetime) -> None:
    if referral.structure is None:
        return
    members = _members(await _locked_conseillers(session, referral.structure, now), referral)
    if referral.urgency == "urgent":
        available = [m for m in members if m.on_duty]
    else:
        load = await open_load(session, [m.id for m in members])
        available = [m for m in members if m.max_open is None or load.get(m.id, 0) < m.max_open]
    if not available:
        return
    chosen = min(available, key=lambda m: (m.last_assigned_at or _NEVER, m.id))
    referral.assigned_to = chosen.id
    chosen.last_assigned_at = now
    await session.flush()


async def _locked_conseillers(
    session: AsyncSession, structure: str, now: datetime
) -> Sequence[ApiToken]:
    accounts = (await session.scalars(_LOCKED_CONSEILLERS, {"structure": structure})).all()
    return [a for a in accounts if a.expires_at is None or a.expires_at > now]


def _members(conseillers: Sequence[ApiToken], referral: Referral) -> list[ApiToken]:
    team = [c for c in conseillers if referral.role and referral.role in c.queues]
    return team + [c for c in conseillers if not c.queues and c.on_duty]


async def open_load(session: AsyncSession, account_ids: list[int]) -> dict[int, int]:
    """How many open (not closed) referrals each account holds."""
    if not account_ids:
        return {}
    stmt = (
        select(Referral.assigned_to, func.count())
        .where(Referral.assigned_to.in_(account_ids), Referral.status != "closed")
        .group_by(Referral.assigned_to)
    )
    return {int(who): int(n) for who, n in (await session.execute(stmt)).all()}
