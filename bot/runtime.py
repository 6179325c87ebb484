"""The shared runtime: one inbound message → one durable turn → the replies.

Per person: lock, look the message up in the inbox (a retry gets the same replies),
load the state, run the engine, carry out its effects (bot/effects.py), and commit
state, intake, referral, booking, outbox and inbox row in ONE transaction. A crash at
any point leaves either the whole turn or none of it.

Most turns skip the lock (storage/plain_turns.py): the conversation is read, or
remembered from the person's last turn, with its version. A turn without effects is
written by one statement; a turn with effects (an intake, a referral) is carried out in a
transaction whose final write checks that version. When another writer moved it, that
transaction rolls back and the turn is played again, locked.

Turns the person did not start (a nudge, a due reminder, a booking by a conseiller) go
through `tell`: the same turn, with the host's own work (claim the reminder, book the
seat) done first in its transaction, so that work and message commit together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.effects import Carrying, carry_out
from bot.locks import KeyedLocks
from bot.pseudonyms import Pseudonymizer
from conversations.calendar import Calendar, ClosedPeriod, DatedOpening
from conversations.engine import Engine
from conversations.model import Event, State, Turn
from conversations.text_hygiene import clean_text
from storage import (
    AppointmentRepository,
    ConversationRepository,
    Database,
    InboxRepository,
    OutboxRepository,
)
from storage.booking import ReminderPolicy
from storage.channel_addresses import ChannelAddressRepository
from storage.conversations import LockedConversation
from storage.openings import OpeningRepository
from storage.plain_turns import PlainTurn, PlainTurns, Redelivered
from storage.turns import TurnWrite, VersionMoved, WrittenTurn, write_turn
from storage.types import utcnow

BOOKING_WINDOW = timedelta(days=22)


class UnknownConversation(LookupError):
    """A message for a conversation that was never started."""


# Claims or writes what the turn is about, in the turn's transaction, and returns the
# facts for the event's data; None: nothing to tell (the turn writes nothing).
Prepare = Callable[[AsyncSession], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True)
class Inbound:
    channel: str
    user_id: str
    event: Event
    # Channel-unique id of the message (e.g. Telegram update_id), for idempotency.
    message_id: str | None = None
    create: bool = True
    # Push channels: where to deliver replies, already sealed (bot/crypto.py).
    address: str | None = None
    # Host work done in the turn's transaction before the engine runs (see `Prepare`).
    prepare: Prepare | None = None


@dataclass
class Outcome:
    conversation_id: int
    replies: list[dict[str, Any]] = field(default_factory=list)
    cursor: int = 0
    duplicate: bool = False
    # `prepare` found nothing to tell: no turn happened.
    skipped: bool = False


@dataclass(frozen=True)
class _ReadUnlocked:
    """A turn read without the lock whose engine run has effects to carry out."""

    conversation_id: int
    version: int
    turn: Turn
    now: datetime


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Runtime:
    def __init__(
        self,
        db: Database,
        engine: Engine,
        pseudonyms: Pseudonymizer,
        clock: Callable[[], datetime] = _utcnow,
        inline_channels: frozenset[str] = frozenset({"web", "terminal"}),
        reminders: ReminderPolicy | None = None,
    ) -> None:
        self.reminders = reminders or ReminderPolicy(engine.tz)
        self.db = db
        self.engine = engine
        self.pseudonyms = pseudonyms
        self.clock = clock
        # Channels whose replies go back in the response itself (no dispatcher).
        self.inline_channels = inline_channels
        self._locks = KeyedLocks()

    def person_key(self, channel: str, user_id: str) -> str:
        return self.pseudonyms.person_key(channel, user_id)

    async def handle(self, inbound: Inbound) -> Outcome:
        if inbound.event.text:
            # No control, bidi-override or surrogate characters reach the engine or the store.
            text = clean_text(inbound.event.text)
            # Reading free text runs a model (tens of ms): off the event loop, before the
            # person's lock and transaction are taken; a short text read before is recalled.
            data = inbound.event.data
            if not text.startswith("/"):
                understander = self.engine.understander
                understood = understander.recall(text) or await asyncio.to_thread(
                    understander.understand, text
                )
                data = {**data, "understood": understood}
            inbound = replace(inbound, event=replace(inbound.event, text=text, data=data))
        return await self.handle_key(self.person_key(inbound.channel, inbound.user_id), inbound)

    async def tell(
        self, key: str, channel: str, event: Event, prepare: Prepare | None = None
    ) -> Outcome | None:
        """A turn the person did not start: a nudge, a reminder, a conseiller's booking.
        None when `prepare` found nothing to tell or the conversation is gone."""
        inbound = Inbound(channel, "", event, create=False, prepare=prepare)
        try:
            outcome = await self.handle_key(key, inbound)
        except UnknownConversation:
            return None
        return None if outcome.skipped else outcome

    async def handle_key(self, key: str, inbound: Inbound) -> Outcome:
        """A turn for a known person key."""
        async with self._locks.hold(key):
            for attempt in range(3):
                try:
                    # The inbox is looked up only after a conflict: a message id already
                    # recorded fails the turn's final write (unique key), the whole turn
                    # rolls back, and the retry finds the stored replies. Redeliveries
                    # are rare; a lookup on every turn would cost a round trip each.
                    return await self._turn(key, inbound, look_up=attempt > 0)
                except (IntegrityError, VersionMoved):
                    # Two workers created the same conversation or recorded the same
                    # message at once, or another one moved the conversation since it
                    # was read: the other one won; replay, locked, against its result.
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")

    async def _turn(self, key: str, inbound: Inbound, look_up: bool) -> Outcome:
        message_key = f"{key[:24]}:{inbound.message_id}" if inbound.message_id else None
        plain = self.db.plain_turns
        if plain is not None and not look_up and not inbound.prepare:
            found = await self._plain_turn(plain, key, inbound, message_key)
            if isinstance(found, Outcome):
                return found
            plain.forget(key)  # the path below moves the version
            if found is not None:
                return await self._unlocked_turn(plain, key, inbound, message_key, found)
        written: WrittenTurn | None = None
        async with self.db.transaction() as session:
            if message_key and look_up:
                seen = await InboxRepository(session).find(inbound.channel, message_key)
                if seen is not None:
                    cursor = await OutboxRepository(session).seen(seen.conversation_id)
                    return Outcome(seen.conversation_id, list(seen.replies), cursor, True)
            conversations = ConversationRepository(session)
            conv = await conversations.lock(key)
            if conv is None:
                if not inbound.create:
                    raise UnknownConversation(inbound.channel)
                created = await conversations.create(key, inbound.channel, None, State().to_dict())
                conv = LockedConversation(created.id, created.state)
            if inbound.address is not None:
                await ChannelAddressRepository(session).save(conv.id, inbound.address)
            event = inbound.event
            if inbound.prepare is not None:
                facts = await inbound.prepare(session)
                if facts is None:
                    return Outcome(conv.id, skipped=True)
                event = replace(event, data={**event.data, **facts})
            now = self.clock()
            state = State.from_dict(conv.state)
            calendar = await self._calendar(session, state, event, now, conv.id)
            turn = self.engine.advance(state, event, now, calendar=calendar)
            outcome, written = await self._carry_and_write(
                session, conv.id, turn, now, inbound.channel, message_key
            )
        if plain is not None and written is not None:
            plain.remember(key, conv.id, written.stored_state, written.version)
        return outcome

    async def _unlocked_turn(
        self,
        plain: PlainTurns,
        key: str,
        inbound: Inbound,
        message_key: str | None,
        read: _ReadUnlocked,
    ) -> Outcome:
        """The effects of a turn read without the lock, written only if the conversation
        is still at the version read (else VersionMoved: the caller plays it locked)."""
        async with self.db.transaction() as session:
            outcome, written = await self._carry_and_write(
                session,
                read.conversation_id,
                read.turn,
                read.now,
                inbound.channel,
                message_key,
                expected_version=read.version,
            )
        if written is not None:
            plain.remember(key, read.conversation_id, written.stored_state, written.version)
        return outcome

    async def _carry_and_write(
        self,
        session: AsyncSession,
        conversation_id: int,
        turn: Turn,
        now: datetime,
        channel: str,
        message_key: str | None,
        expected_version: int | None = None,
    ) -> tuple[Outcome, WrittenTurn | None]:
        """Carry out the turn's effects and write it, in the caller's transaction; no
        write when the person was erased."""
        work = Carrying(
            session,
            conversation_id,
            channel,
            now,
            self.engine,
            self.reminders,
            turn.state,
            list(turn.replies),
            list(turn.effects),
        )
        await carry_out(work)
        bodies = [r.to_dict() for r in work.replies]
        if work.erased:
            # Nothing of the person is left to store: answer without a trace.
            return Outcome(0, bodies, 0), None
        state = work.state
        status = "delivered" if channel in self.inline_channels else "pending"
        written = await write_turn(
            session,
            TurnWrite(
                conversation_id,
                state.to_dict(),
                state.lang,
                state.consent,
                channel,
                bodies,
                status,
                message_key,
            ),
            expected_version,
        )
        return Outcome(conversation_id, bodies, written.cursor), written

    async def _plain_turn(
        self, plain: PlainTurns, key: str, inbound: Inbound, message_key: str | None
    ) -> Outcome | _ReadUnlocked | None:
        """A turn that only moves the conversation and answers, read and written without
        the locked transaction (storage/plain_turns.py). A turn with effects (an intake,
        a referral) comes back read, for `_unlocked_turn`. None when it is more than that
        (an address to store, a booking question) or another process wrote first: the
        caller then plays it in the locked transaction, from the start."""
        # A push channel's turn reads the row: it must know whether the address is stored.
        read = await plain.read(key, remembered=inbound.address is None)
        if read is None and inbound.create and inbound.address is None:
            read = await plain.create(key, inbound.channel, State().to_dict())
        if read is None or (inbound.address is not None and not read.reachable):
            return None
        state, event, now = State.from_dict(read.state), inbound.event, self.clock()
        if self.engine.needs_calendar(state, event):
            return None
        # `state` was decoded from the stored text for this turn: the engine may keep it.
        turn = self.engine.advance(state, event, now, calendar=Calendar(), handed_over=True)
        if turn.effects:
            return _ReadUnlocked(read.id, read.version, turn, now)
        bodies = [r.to_dict() for r in turn.replies]
        inline = inbound.channel in self.inline_channels
        written = utcnow()  # the store's clock, as storage/turns.py (the engine's may be a test's)
        try:
            cursor = await plain.write(
                key,
                PlainTurn(
                    read.id,
                    turn.state.to_dict(),
                    turn.state.lang,
                    turn.state.consent,
                    inbound.channel,
                    bodies,
                    "delivered" if inline else "pending",
                    message_key,
                    version=read.version,
                    now=written,
                    delivered_at=written if inline else None,
                ),
            )
        except Redelivered:
            return None  # a redelivered message: the locked path finds its replies
        return None if cursor is None else Outcome(read.id, bodies, cursor)

    async def _calendar(
        self, session: AsyncSession, state: State, event: Event, now: datetime, conversation_id: int
    ) -> Calendar:
        """Seats taken, dated openings and closures — only for turns that book."""
        if not self.engine.needs_calendar(state, event):
            return Calendar()
        until = now + BOOKING_WINDOW
        openings_repo = OpeningRepository(session)
        openings = tuple(DatedOpening.of(o) for o in await openings_repo.between(now, until))
        closures = tuple(
            ClosedPeriod(c.place_id, c.starts_at, c.ends_at)
            for c in await openings_repo.closures_between(now, until)
        )
        places = sorted(
            {p.place for p in self.engine.deployment.bookable()} | {o.place_id for o in openings}
        )
        repo = AppointmentRepository(session)
        if state.consent:
            # The database is the truth: a conseiller may have booked or cancelled.
            state.appointments = [
                {"id": a.id, "place": a.place_id, "starts_at": a.starts_at.isoformat()}
                for a in await repo.for_conversation(conversation_id, now)
            ]
        taken = await repo.booked_counts(places, now, until)
        return Calendar(taken=taken, openings=openings, closures=closures)

    async def messages_after(self, channel: str, user_id: str, cursor: int) -> Outcome:
        key = self.person_key(channel, user_id)
        async with self.db.transaction() as session:
            conv = await ConversationRepository(session).get_for_update(key)
            if conv is None:
                raise UnknownConversation(channel)
            outbox = OutboxRepository(session)
            rows, latest = await outbox.page(conv.id, cursor)
            pending = [r.id for r in rows if r.status == "pending"]
            if pending:
                await outbox.mark_delivered(pending)
            return Outcome(conv.id, [dict(r.body) for r in rows], latest)
