"""Due reminders and bus announcements become messages in the people's outboxes.

Each run claims due reminder rows (SKIP LOCKED on PostgreSQL, the single writer on
SQLite) and writes the reminder, in the person's language, with "coming / cannot come /
move" buttons, to their outbox in the same transaction: a reminder is sent once, and a
restart loses none. The channels deliver the outbox (web chat by cursor, Telegram by
its dispatcher, which also keeps within Telegram's rate limits).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.engine import Engine
from conversations.formatting import clock, day
from conversations.i18n import N_
from storage import Database, OutboxRepository
from storage.models import Appointment, Conversation, Opening
from storage.openings import ReminderRepository, SubscriptionRepository

TEXTS: Final = {
    "day_before": N_(
        "Reminder: you have an appointment tomorrow, {when}, at {place} ({address}). Will you come?"
    ),
    "hours_before": N_(
        "Reminder: your appointment is today at {time}, at {place} ({address}). Will you come?"
    ),
}
COMING = N_("✅ Yes, I will come")
NOT_COMING = N_("❌ I cannot come")
MOVE = N_("🔁 Move it")
BUS_STOP = N_("🚌 The MiLo Machine bus comes near you: {day}, {hours}, {place} ({address}).")
BUS_STOP_OFF = N_("🔕 Stop the bus messages")


async def send_due_reminders(db: Database, engine: Engine, now: datetime) -> int:
    sent = 0
    async with db.transaction() as session:
        for reminder in await ReminderRepository(session).claim_due(now):
            appointment = await session.get(Appointment, reminder.appointment_id)
            conversation = (
                await session.get(Conversation, appointment.conversation_id)
                if appointment and appointment.conversation_id
                else None
            )
            if appointment is None or appointment.status != "booked" or conversation is None:
                reminder.status = "cancelled"
                continue
            await _remind(session, engine, reminder.kind, appointment, conversation)
            reminder.status, reminder.sent_at = "sent", now
            sent += 1
    return sent


async def _remind(
    session: AsyncSession,
    engine: Engine,
    kind: str,
    appointment: Appointment,
    conversation: Conversation,
) -> None:
    lang = conversation.lang or "fr"
    name, address = await place_label(session, engine, appointment.place_id)

    def t(message: str) -> str:
        return engine.catalogs.gettext(lang, message)

    when = t("{day} at {time}").format(
        day=day(appointment.starts_at, lang, engine.tz),
        time=clock(appointment.starts_at, lang, engine.tz),
    )
    text = t(TEXTS[kind]).format(
        when=when,
        time=clock(appointment.starts_at, lang, engine.tz),
        place=name,
        address=f"\u2068{address}\u2069",
    )
    buttons = [
        {"label": t(COMING), "payload": f"nav.appt.yes.{appointment.id}"},
        {"label": t(NOT_COMING), "payload": f"nav.appt.no.{appointment.id}"},
        {"label": t(MOVE), "payload": f"nav.appt.move.{appointment.id}"},
    ]
    await OutboxRepository(session).add(
        conversation.id, conversation.channel, {"text": text, "buttons": buttons, "urgent": False}
    )


async def place_label(session: AsyncSession, engine: Engine, place_id: str) -> tuple[str, str]:
    """Name and address of a directory place, or of a published opening (bus stop)."""
    place = engine.deployment.places.get(place_id)
    if place is not None:
        return place.name, place.address
    stmt = select(Opening).where(Opening.place_id == place_id).order_by(Opening.id.desc())
    opening = (await session.scalars(stmt.limit(1))).first()
    return (opening.name, opening.address) if opening else (place_id, "")


async def announce_bus_stop(db: Database, engine: Engine, opening_id: int, now: datetime) -> int:
    """Tell the people who opted in, near the stop's territory, in their language (once)."""
    told = 0
    async with db.transaction() as session:
        opening = await session.get(Opening, opening_id, with_for_update=True)
        if opening is None or opening.kind != "bus_stop" or opening.announced_at is not None:
            return 0
        opening.announced_at = now
        for subscription in await SubscriptionRepository(session).subscribers(
            "bus", opening.territory
        ):
            conversation = await session.get(Conversation, subscription.conversation_id)
            if conversation is None:
                continue
            lang = conversation.lang or "fr"
            start, end = (clock(m, lang, engine.tz) for m in (opening.starts_at, opening.ends_at))
            hours = f"{start}–{end}"
            text = engine.catalogs.gettext(lang, BUS_STOP).format(
                day=day(opening.starts_at, lang, engine.tz),
                hours=f"\u2068{hours}\u2069",
                place=opening.name,
                address=f"\u2068{opening.address}\u2069",
            )
            off = {"label": engine.catalogs.gettext(lang, BUS_STOP_OFF), "payload": "nav.bus.off"}
            await OutboxRepository(session).add(
                conversation.id,
                conversation.channel,
                {"text": text, "buttons": [off], "urgent": False},
            )
            told += 1
    return told
