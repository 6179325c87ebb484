"""A conseiller books an appointment for a referral's person.

The seat is taken on the chat's own booking path (`storage.booking.book_with_reminders`:
capacity enforced by the database, reminders planned with it), and the person is told
by the engine (`EventKind.BOOKED_BY_ADVISER`) in a turn of their own conversation. The
booking, its reminders, the audit entry and the message commit in that turn's one
transaction: the person is never left untold of a booking, nor told of one that failed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from api.casework.caller import Caller, audit
from api.casework.errors import Conflict
from api.casework.referrals import visible_referral
from conversations.i18n import DEFAULT_LANGUAGE
from conversations.model import AppointmentFacts, Event, EventKind
from conversations.slots import SlotOffer
from storage import ConversationRepository, Database, ReferralRepository
from storage.booking import ReminderPolicy, Seat, book_with_reminders
from storage.models import Appointment
from storage.types import utcnow


class Teller(Protocol):
    """Runs a turn the person did not start (bot.runtime.Runtime.tell)."""

    async def tell(
        self,
        key: str,
        channel: str,
        event: Event,
        prepare: Callable[[AsyncSession], Awaitable[dict[str, Any] | None]] | None = None,
    ) -> object | None: ...


class BookingService:
    def __init__(
        self, db: Database, who: Caller, runtime: Teller, reminders: ReminderPolicy
    ) -> None:
        self._db, self._who, self._runtime, self._reminders = db, who, runtime, reminders

    async def book_for_referral(self, referral_id: int, offer: SlotOffer) -> Appointment:
        """Book `offer` for the referral's person and tell them; `Conflict` if it is full."""
        async with self._db.transaction() as session:
            referral = await visible_referral(session, self._who, referral_id)
            conversation = (
                await ConversationRepository(session).get(referral.conversation_id)
                if referral.conversation_id
                else None
            )
            if conversation is None:
                raise Conflict("the person's conversation is gone")
            person, channel = conversation.person_key, conversation.channel
            seat = Seat(
                conversation.id,
                offer.key,
                offer.place_id,
                offer.service,  # the slot's directory service: scopes go by service
                offer.starts_at,
                offer.ends_at,
                offer.capacity,
                conversation.lang or DEFAULT_LANGUAGE,
            )
        booked: list[Appointment] = []

        async def book(session: AsyncSession) -> dict[str, Any] | None:
            booked.clear()  # a turn retried after a conflict books again from scratch
            now = utcnow()
            appointment = await book_with_reminders(session, seat, self._reminders, now)
            if appointment is None:
                return None
            await ReferralRepository(session).touch_first_contact(referral_id, now)
            await audit(session, self._who, "book", "referral", referral_id, slot=offer.key)
            booked.append(appointment)
            return {
                "appointment": AppointmentFacts(appointment.id, offer.place_id, offer.starts_at)
            }

        event = Event(EventKind.BOOKED_BY_ADVISER)
        if await self._runtime.tell(person, channel, event, book) is None or not booked:
            raise Conflict("this slot is full")
        return booked[0]
