"""Conversations left half-way: one gentle nudge, then a quiet expiry days later.

The clock (relais/scheduler.py) calls `tend_idle_conversations`; each nudge or expiry is an
ordinary durable turn of the runtime, under the person's lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.runtime import Runtime
from conversations.model import Event, EventKind
from storage.models import Conversation


async def tend_idle_conversations(
    runtime: Runtime, now: datetime, nudge_after: timedelta, expire_after: timedelta
) -> tuple[int, int]:
    """(nudged, expired) counts for conversations idle longer than `nudge_after`."""
    async with runtime.db.transaction() as session:
        rows = (
            await session.execute(
                select(
                    Conversation.person_key,
                    Conversation.channel,
                    Conversation.state,
                    Conversation.updated_at,
                )
                .where(Conversation.updated_at <= now - nudge_after)
                .order_by(Conversation.updated_at)
                .limit(500)
            )
        ).all()
    nudged = expired = 0
    journeys = runtime.engine.flows.journeys
    for person_key, channel, state, updated_at in rows:
        if state.get("flow") not in journeys:
            continue
        if updated_at <= now - expire_after:
            kind = EventKind.EXPIRE
            expired += 1
        elif not state.get("scratch", {}).get("nudged"):
            kind = EventKind.NUDGE
            nudged += 1
        else:
            continue
        await runtime.tell(person_key, channel, Event(kind))
    return nudged, expired
