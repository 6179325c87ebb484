"""The rights of access and erasure: what is kept about a person (/mydata), and removing
their data everywhere while keeping anonymous statistics (/forget).

Conversation state, inbox, outbox, free-text messages and conseiller notes are deleted;
intakes and referrals lose their link to the person and every answer, keeping only
coarse, non-identifying fields (theme, age band, territory, language, source, outcome);
future appointments are cancelled and their seats freed.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.appointments import AppointmentRepository
from storage.models import (
    Appointment,
    Conversation,
    Intake,
    Referral,
    ReferralMessage,
    ReferralNote,
)
from storage.types import utcnow


async def kept_about(
    session: AsyncSession, conversation_id: int
) -> tuple[list[tuple[str, str]], list[Appointment]]:
    """The person's requests to advisers (theme, status) and coming appointments."""
    stmt = select(Referral.theme, Referral.status).where(
        Referral.conversation_id == conversation_id
    )
    referrals = [
        (theme, status)
        for theme, status in (await session.execute(stmt.order_by(Referral.id))).all()
    ]
    appointments = await AppointmentRepository(session).for_conversation(conversation_id)
    return referrals, appointments


async def erase_conversation(session: AsyncSession, conversation_id: int) -> None:
    referrals = select(Referral.id).where(Referral.conversation_id == conversation_id)
    await session.execute(delete(ReferralMessage).where(ReferralMessage.referral_id.in_(referrals)))
    await session.execute(delete(ReferralNote).where(ReferralNote.referral_id.in_(referrals)))
    for referral in (
        await session.scalars(select(Referral).where(Referral.id.in_(referrals)))
    ).all():
        referral.summary = {}
        referral.conversation_id = None
        if referral.status != "closed":
            referral.status, referral.closed_at = "closed", utcnow()
            referral.outcome = referral.outcome or "erased"
    await session.execute(
        update(Intake)
        .where(Intake.conversation_id == conversation_id)
        .values(answers={}, commune=None, conversation_id=None)
        .execution_options(synchronize_session=False)
    )
    appointments = AppointmentRepository(session)
    for appointment in await appointments.for_conversation(conversation_id):
        await appointments.cancel(appointment.id, conversation_id)
    await session.execute(
        update(Appointment)
        .where(Appointment.conversation_id == conversation_id)
        .values(conversation_id=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(Conversation).where(Conversation.id == conversation_id))
    session.expire_all()
