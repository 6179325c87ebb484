"""The shared runtime: one inbound message → one durable turn → the replies.

Per person: lock, look the message up in the inbox (a retry gets the same replies),
load the state, run the engine, carry out its effects, and commit state, intake,
referral, booking, outbox and inbox row in ONE transaction. A crash at any point
leaves either the whole turn or none of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.locks import KeyedLocks
from bot.mydata import my_data
from bot.pseudonyms import Pseudonymizer
from conversations.calendar import Calendar, ClosedPeriod, DatedOpening
from conversations.engine import Engine
from conversations.model import (
    BookAppointment,
    CancelAppointment,
    CreateReferral,
    Effect,
    Event,
    EventKind,
    ForgetMe,
    LinkStaffAccount,
    RecordIntake,
    Reply,
    ReplyToAdviser,
    ShowMyData,
    State,
    Subscribe,
    Turn,
)
from conversations.text_hygiene import clean_text
from storage import (
    AppointmentRepository,
    ConversationRepository,
    Database,
    InboxRepository,
    IntakeRepository,
    OutboxRepository,
    ReferralRepository,
)
from storage.announcements import announce_referral
from storage.casework import link_staff_account
from storage.channel_addresses import ChannelAddressRepository
from storage.conversations import LockedConversation
from storage.models import Referral, ReferralMessage
from storage.openings import (
    OpeningRepository,
    ReminderRepository,
    SubscriptionRepository,
    reminder_times,
)
from storage.privacy import erase_conversation
from storage.turns import TurnWrite, write_turn

BOOKING_WINDOW = timedelta(days=22)


class UnknownConversation(LookupError):
    """A message for a conversation that was never started."""


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


@dataclass
class Outcome:
    conversation_id: int
    replies: list[dict[str, Any]] = field(default_factory=list)
    cursor: int = 0
    duplicate: bool = False


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
        reminder_hours: tuple[int, ...] = (24, 2),
        quiet_hours: tuple[int, int] = (21, 8),
    ) -> None:
        self.reminder_hours = reminder_hours
        # No reminder between these local hours (from, to).
        self.quiet_hours = quiet_hours
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
            inbound = replace(inbound, event=replace(inbound.event, text=text))
        return await self.handle_key(self.person_key(inbound.channel, inbound.user_id), inbound)

    async def handle_key(self, key: str, inbound: Inbound) -> Outcome:
        """A turn for a known person key (the clock's turns: nudges, expiry)."""
        async with self._locks.hold(key):
            for attempt in range(3):
                try:
                    # The inbox is looked up only after a conflict: a message id already
                    # recorded fails the turn's final write (unique key), the whole turn
                    # rolls back, and the retry finds the stored replies. Redeliveries
                    # are rare; a lookup on every turn would cost a round trip each.
                    return await self._turn(key, inbound, look_up=attempt > 0)
                except IntegrityError:
                    # Two workers created the same conversation or recorded the same
                    # message at once: the other one won; replay against its result.
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")

    async def _turn(self, key: str, inbound: Inbound, look_up: bool) -> Outcome:
        message_key = f"{key[:24]}:{inbound.message_id}" if inbound.message_id else None
        async with self.db.transaction() as session:
            if message_key and look_up:
                seen = await InboxRepository(session).find(inbound.channel, message_key)
                if seen is not None:
                    cursor = await OutboxRepository(session).latest_id(seen.conversation_id)
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
            now = self.clock()
            state = State.from_dict(conv.state)
            calendar = await self._calendar(session, state, inbound.event, now, conv.id)
            turn = self.engine.advance(state, inbound.event, now, calendar=calendar)
            replies, state, erased = await self._carry_out(
                session, conv, turn, inbound.channel, now
            )
            if erased:
                # Nothing of the person is left to store: answer without a trace.
                return Outcome(0, [r.to_dict() for r in replies], 0)
            bodies = [r.to_dict() for r in replies]
            status = "delivered" if inbound.channel in self.inline_channels else "pending"
            cursor = await write_turn(
                session,
                TurnWrite(
                    conv.id,
                    state.to_dict(),
                    state.lang,
                    state.consent,
                    inbound.channel,
                    bodies,
                    status,
                    message_key,
                ),
            )
            return Outcome(conv.id, bodies, cursor)

    async def _calendar(
        self, session: AsyncSession, state: State, event: Event, now: datetime, conversation_id: int
    ) -> Calendar:
        """Seats taken, dated openings and closures — only for turns that book."""
        if not self.engine.needs_calendar(state, event):
            return Calendar()
        until = now + BOOKING_WINDOW
        openings_repo = OpeningRepository(session)
        openings = tuple(
            DatedOpening(
                id=o.id,
                kind=o.kind,
                place_id=o.place_id,
                name=o.name,
                address=o.address,
                territory=o.territory,
                service=o.service,
                starts_at=o.starts_at,
                ends_at=o.ends_at,
                slot_minutes=o.slot_minutes,
                capacity=o.capacity,
            )
            for o in await openings_repo.between(now, until)
        )
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

    async def _carry_out(
        self,
        session: AsyncSession,
        conv: LockedConversation,
        turn: Turn,
        channel: str,
        now: datetime,
    ) -> tuple[list[Reply], State, bool]:
        """Apply the turn's effects; booking results go back to the engine as events."""
        replies = list(turn.replies)
        state = turn.state
        pending: list[Effect] = list(turn.effects)
        while pending:
            effect = pending.pop(0)
            if isinstance(effect, ShowMyData):
                replies.insert(0, await my_data(session, self.engine, conv.id, state))
                continue
            if isinstance(effect, ForgetMe):
                await erase_conversation(session, conv.id)
                return replies, state, True
            result = await self._apply(session, conv, state, effect, channel)
            if result is not None:
                event = Event(EventKind.EFFECT_RESULT, data=result)
                calendar = await self._calendar(session, state, event, now, conv.id)
                follow = self.engine.advance(state, event, now, calendar=calendar)
                replies += follow.replies
                state = follow.state
                pending += follow.effects
        return replies, state, False

    async def _apply(
        self,
        session: AsyncSession,
        conv: LockedConversation,
        state: State,
        effect: Effect,
        channel: str,
    ) -> dict[str, Any] | None:
        lang = state.lang or "fr"
        if isinstance(effect, RecordIntake):
            profile = effect.profile
            await IntakeRepository(session).add(
                conversation_id=conv.id,
                theme=effect.theme,
                answers=effect.answers,
                age_band=profile.get("age_band"),
                commune=profile.get("commune"),
                territory=profile.get("territory"),
                statuses=[s for s in profile.get("statuses", "").split(",") if s],
                urgency=effect.urgency,
                signals=list(effect.signals),
                lang=lang,
                source=state.source,
                channel=channel,
            )
        elif isinstance(effect, CreateReferral):
            intake = await IntakeRepository(session).latest_for_conversation(conv.id)
            referral = await ReferralRepository(session).add(
                intake_id=intake.id if intake else None,
                conversation_id=conv.id,
                theme=effect.theme,
                urgency=effect.urgency,
                reason=effect.reason,
                structure=effect.structure,
                role=effect.role,
                rule_id=effect.rule_id,
                summary=effect.summary,
                lang=lang,
            )
            await announce_referral(session, referral, self.engine.deployment, self.clock())
        elif isinstance(effect, BookAppointment):
            return await self._book(session, conv, effect, lang)
        elif isinstance(effect, CancelAppointment):
            if await AppointmentRepository(session).cancel(effect.appointment_id, conv.id):
                await ReminderRepository(session).cancel_for(effect.appointment_id)
        elif isinstance(effect, LinkStaffAccount):
            await link_staff_account(session, effect.code, conv.id, self.clock())
        elif isinstance(effect, Subscribe):
            await SubscriptionRepository(session).set(
                conv.id, effect.topic, effect.territory, effect.on
            )
        elif isinstance(effect, ReplyToAdviser):
            referral = await session.get(Referral, effect.referral_id)
            if referral is not None and referral.conversation_id == conv.id:
                session.add(
                    ReferralMessage(
                        referral_id=referral.id, direction="from_person", body=effect.text
                    )
                )
        return None

    async def _book(
        self, session: AsyncSession, conv: LockedConversation, effect: BookAppointment, lang: str
    ) -> dict[str, Any]:
        repo = AppointmentRepository(session)
        booked = await repo.book(
            conversation_id=conv.id,
            slot_key=effect.slot_key,
            place_id=effect.place_id,
            service=effect.service,
            starts_at=effect.starts_at,
            ends_at=effect.ends_at,
            capacity=effect.capacity,
            lang=lang,
        )
        if booked is None:
            return {"effect": "booking", "ok": False}
        await ReminderRepository(session).plan(
            booked,
            reminder_times(
                effect.starts_at,
                self.clock(),
                self.reminder_hours,
                self.quiet_hours,
                self.engine.tz,
            ),
        )
        if effect.replaces is not None and await repo.cancel(effect.replaces, conv.id):
            await ReminderRepository(session).cancel_for(effect.replaces)
        return {
            "effect": "booking",
            "ok": True,
            "appointment_id": booked.id,
            "place_id": effect.place_id,
            "starts_at": effect.starts_at.isoformat(),
        }

    async def messages_after(self, channel: str, user_id: str, cursor: int) -> Outcome:
        key = self.person_key(channel, user_id)
        async with self.db.transaction() as session:
            conv = await ConversationRepository(session).get_for_update(key)
            if conv is None:
                raise UnknownConversation(channel)
            outbox = OutboxRepository(session)
            rows = await outbox.after(conv.id, cursor)
            pending = [r.id for r in rows if r.status == "pending"]
            if pending:
                await outbox.mark_delivered(pending)
            latest = rows[-1].id if rows else max(cursor, 0)
            return Outcome(conv.id, [dict(r.body) for r in rows], latest)
