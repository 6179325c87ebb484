"""The effects of a turn, each carried out by its one handler, in the turn's transaction.

The engine returns effects (write an intake, hand a case over, book a seat…); the runtime
looks each one's handler up in `EFFECTS` and runs it on the session that also writes the
turn's state and replies. A booking keeps one of the two endings the engine drew (seat
taken, or slot full), so it needs no second trip into the engine; /mydata loads what is
kept and has the engine word it; /forget erases the person and ends the turn.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.engine import Engine
from conversations.i18n import DEFAULT_LANGUAGE
from conversations.model import (
    NEWEST_OPEN_REFERRAL,
    AppointmentFacts,
    BookAppointment,
    CancelAppointment,
    CreateReferral,
    Effect,
    Event,
    EventKind,
    ForgetMe,
    KeptData,
    LinkStaffAccount,
    RecordIntake,
    Reply,
    ReplyToAdviser,
    ShowMyData,
    State,
    Subscribe,
)
from storage import IntakeRepository, ReferralRepository, TokenRepository
from storage.booking import (
    ReminderPolicy,
    Seat,
    book_with_reminders,
    cancel_with_reminders,
    opening_place,
)
from storage.intake_facts import intake_facts
from storage.models import Appointment, Intake, Referral
from storage.notes import MessageRepository
from storage.privacy import erase_conversation, kept_about
from storage.referral_updates import PERSON_REPLIED_EVENT, file_referral, notify_assigned
from storage.subscriptions import SubscriptionRepository


@dataclass
class Carrying:
    """One turn's effects being carried out: what the handlers read and change."""

    session: AsyncSession
    conversation_id: int
    channel: str
    now: datetime
    engine: Engine
    reminders: ReminderPolicy
    state: State
    replies: list[Reply]
    pending: list[Effect] = field(default_factory=list)
    # /forget: nothing of the person is left to write.
    erased: bool = False
    # The intakes recorded in this turn, by theme: a referral of the same turn files
    # them without reading them back.
    intakes: dict[str, Intake] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return self.state.lang or DEFAULT_LANGUAGE


async def carry_out(work: Carrying) -> None:
    """Run the handler of each pending effect, in order, until none is left."""
    while work.pending and not work.erased:
        effect = work.pending.pop(0)
        await EFFECTS[type(effect)](work, effect)


async def appointment_facts(
    session: AsyncSession, engine: Engine, appointment: Appointment
) -> AppointmentFacts:
    """The appointment for the engine; a dated opening's place named from the store."""
    named = None
    if appointment.place_id not in engine.deployment.places:
        named = await opening_place(session, appointment.place_id)
    name, address = named or ("", "")
    return AppointmentFacts(
        appointment.id, appointment.place_id, appointment.starts_at, name, address
    )


async def _record_intake(work: Carrying, effect: RecordIntake) -> None:
    profile = effect.profile
    # The same journey done again updates the conversation's intake on that theme.
    work.intakes[effect.theme] = await IntakeRepository(work.session).record(
        work.conversation_id,
        effect.theme,
        answers=effect.answers,
        age_band=profile.get("age_band"),
        commune=profile.get("commune"),
        territory=profile.get("territory"),
        statuses=[s for s in profile.get("statuses", "").split(",") if s],
        urgency=effect.urgency,
        signals=list(effect.signals),
        lang=work.lang,
        source=work.state.source,
        channel=work.channel,
        **intake_facts(profile),
    )


async def _create_referral(work: Carrying, effect: CreateReferral) -> None:
    recorded = work.intakes.get(effect.theme)
    intake_id = (
        recorded.id
        if recorded is not None
        else await IntakeRepository(work.session).latest_id(work.conversation_id, effect.theme)
    )
    # One open referral per person and need: the same need updates the open one.
    await file_referral(
        work.session,
        work.engine.deployment,
        work.now,
        work.conversation_id,
        intake_id=intake_id,
        theme=effect.theme,
        urgency=effect.urgency,
        reason=effect.reason,
        structure=effect.structure,
        role=effect.role,
        rule_id=effect.rule_id,
        summary=effect.summary,
        lang=work.lang,
    )


async def _book(work: Carrying, effect: BookAppointment) -> None:
    seat = Seat(
        work.conversation_id,
        effect.slot_key,
        effect.place_id,
        effect.service,
        effect.starts_at,
        effect.ends_at,
        effect.capacity,
        work.lang,
    )
    booked = await book_with_reminders(
        work.session, seat, work.reminders, work.now, replaces=effect.replaces
    )
    ending = effect.ending(booked.id if booked is not None else None)
    work.replies += ending.replies
    work.state = ending.state
    work.pending += ending.effects


async def _cancel(work: Carrying, effect: CancelAppointment) -> None:
    await cancel_with_reminders(work.session, effect.appointment_id, work.conversation_id)


async def _link_staff_account(work: Carrying, effect: LinkStaffAccount) -> None:
    # Staff notifications go to a Telegram chat only: `/link` typed in the anonymous web
    # chat (or anywhere else) links nothing and spends no attempt (issue 20).
    if work.channel != "telegram":
        return
    await TokenRepository(work.session).link_chat(effect.code, work.conversation_id, work.now)


async def _subscribe(work: Carrying, effect: Subscribe) -> None:
    await SubscriptionRepository(work.session).set(
        work.conversation_id, effect.topic, effect.territory, effect.on
    )


async def _reply_to_adviser(work: Carrying, effect: ReplyToAdviser) -> None:
    referral_id: int | None = effect.referral_id
    if referral_id == NEWEST_OPEN_REFERRAL:
        newest = await ReferralRepository(work.session).open_of(work.conversation_id)
        referral_id = newest[0].id if newest else None
    if referral_id is None:
        return
    messages = MessageRepository(work.session)
    if await messages.add_from_person(referral_id, work.conversation_id, effect.text):
        referral = await work.session.get(Referral, referral_id)  # loaded just above
        if referral is not None:
            await notify_assigned(work.session, referral, work.now, PERSON_REPLIED_EVENT)


async def _show_my_data(work: Carrying, effect: ShowMyData) -> None:
    """What is kept, worded by the engine, before the question it asked again."""
    referrals, appointments = await kept_about(work.session, work.conversation_id)
    kept = KeptData(
        tuple(referrals),
        tuple([await appointment_facts(work.session, work.engine, a) for a in appointments]),
    )
    told = work.engine.advance(work.state, Event(EventKind.MY_DATA, data={"kept": kept}), work.now)
    work.replies[0:0] = told.replies


async def _forget_me(work: Carrying, effect: ForgetMe) -> None:
    await erase_conversation(work.session, work.conversation_id)
    work.erased = True


Handler = Callable[[Carrying, Any], Awaitable[None]]

EFFECTS: Final[dict[type, Handler]] = {
    RecordIntake: _record_intake,
    CreateReferral: _create_referral,
    BookAppointment: _book,
    CancelAppointment: _cancel,
    LinkStaffAccount: _link_staff_account,
    Subscribe: _subscribe,
    ReplyToAdviser: _reply_to_adviser,
    ShowMyData: _show_my_data,
    ForgetMe: _forget_me,
}
