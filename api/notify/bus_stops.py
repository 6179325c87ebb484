"""A published bus stop, announced to the people who opted in near it, in their language.

The engine words the announcement (`EventKind.BUS_STOP`, conversations/events.py) from each
person's saved state, with the same catalogs and the same "stop the bus messages" button
as the chat. The opening is marked announced and every message is written to the
outboxes in ONE transaction: a stop is announced once, to everyone or (after a crash)
to no one, and announcing it again does nothing.

Unlike reminders (bot/reminders.py), this does not run a turn of the runtime per person:
an announcement changes no one's state, and one transaction for the whole stop is what
keeps it exactly once. The channels deliver the outbox (web chat by cursor, Telegram by
its dispatcher).
"""

from __future__ import annotations

from datetime import datetime

from conversations.calendar import DatedOpening
from conversations.engine import Engine
from conversations.model import Event, EventKind, State
from storage import ConversationRepository, Database, OutboxRepository
from storage.models import Opening
from storage.subscriptions import SubscriptionRepository


async def announce_bus_stop(db: Database, engine: Engine, opening_id: int, now: datetime) -> int:
    """Tell the subscribers near the stop's territory (once); how many were told."""
    told = 0
    async with db.transaction() as session:
        opening = await session.get(Opening, opening_id, with_for_update=True)
        if opening is None or opening.kind != "bus_stop" or opening.announced_at is not None:
            return 0
        opening.announced_at = now
        event = Event(EventKind.BUS_STOP, data={"stop": DatedOpening.of(opening)})
        conversations, outbox = ConversationRepository(session), OutboxRepository(session)
        for subscription in await SubscriptionRepository(session).subscribers(
            "bus", opening.territory
        ):
            conversation = await conversations.get(subscription.conversation_id)
            if conversation is None:
                continue
            turn = engine.advance(State.from_dict(conversation.state), event, now)
            for reply in turn.replies:
                await outbox.add(conversation.id, conversation.channel, reply.to_dict())
            told += 1
    return told
