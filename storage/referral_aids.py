"""The aid a referral was closed with (`referral_aids`): one row per referral at most."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.model_casework import ReferralAid
from storage.outcomes import Aid


async def replace_aid(session: AsyncSession, referral_id: int, aid: Aid | None) -> None:
    """Record the aid of a closing, replacing any earlier one; None removes it (a
    reopened referral, or a closing without aid)."""
    await session.execute(delete(ReferralAid).where(ReferralAid.referral_id == referral_id))
    if aid is not None:
        session.add(
            ReferralAid(
                referral_id=referral_id,
                fund=aid.fund,
                purpose=aid.purpose,
                amount_cents=aid.amount_cents,
            )
        )
        await session.flush()


async def aid_of(session: AsyncSession, referral_id: int) -> Aid | None:
    row = await session.get(ReferralAid, referral_id)
    return None if row is None else Aid(row.fund, row.purpose, row.amount_cents)
