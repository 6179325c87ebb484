"""The bus kiosk's "met today" counter: young people met, a number per day and place.

Nothing about the person, the tablet or the request is kept: no IP, no session, no time
of day. A day and place's count stops at `MAX_PER_DAY` (a stuck or abused button cannot
inflate the year's figures beyond it).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.model_casework import KioskEncounter

MAX_PER_DAY: Final = 500


async def met_on(session: AsyncSession, day: date, place: str) -> int:
    """How many were counted on that day at that place ("" for an unknown place)."""
    stmt = select(KioskEncounter.count).where(
        KioskEncounter.day == day, KioskEncounter.place == place
    )
    return int(await session.scalar(stmt) or 0)


async def count_met(session: AsyncSession, day: date, place: str) -> tuple[int, bool]:
    """Count one more young person met; the day's count, and False when the cap held it.
    One statement (insert or add one), so two taps at once both count."""
    postgres = session.bind.dialect.name == "postgresql"
    insert = pg_insert if postgres else sqlite_insert
    stmt = insert(KioskEncounter).values(day=day, place=place, count=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["day", "place"],
        set_={"count": KioskEncounter.count + 1},
        where=KioskEncounter.count < MAX_PER_DAY,
    )
    counted = (await session.execute(stmt)).rowcount > 0
    return await met_on(session, day, place), counted
