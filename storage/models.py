"""Declarative models of the case store (SQLAlchemy 2, portable SQLite/PostgreSQL).

Conversations are keyed by `person_key`, a keyed hash computed by the caller: raw channel
ids never reach the database. JSON columns use the generic `sa.JSON`, timestamps are UTC.
Free text (conversation state, answers, summaries, notes, messages, queued replies) is
sealed at rest: see `storage/sealing.py`.
The schema itself is created by the Alembic migrations in `storage/migrations`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.sealing import SealedJSON, SealedText
from storage.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _created() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), default=utcnow, nullable=False)


def _made_by() -> Mapped[int | None]:
    return mapped_column(ForeignKey("api_tokens.id", ondelete="SET NULL"))


def _conversation_fk(ondelete: str, *, nullable: bool, index: bool = False) -> Mapped[Any]:
    return mapped_column(
        ForeignKey("conversations.id", ondelete=ondelete), nullable=nullable, index=index
    )


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    lang: Mapped[str | None] = mapped_column(String(8))
    consent: Mapped[bool | None]
    state: Mapped[dict[str, Any]] = mapped_column(SealedJSON, nullable=False, default=dict)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class InboundMessage(Base):
    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "message_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    message_key: Mapped[str] = mapped_column(String(128), nullable=False)
    conversation_id: Mapped[int] = _conversation_fk("CASCADE", nullable=False, index=True)
    replies: Mapped[list[Any]] = mapped_column(SealedJSON, nullable=False, default=list)
    created_at: Mapped[datetime] = _created()


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_channel_status", "channel", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = _conversation_fk("CASCADE", nullable=False, index=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    body: Mapped[dict[str, Any]] = mapped_column(SealedJSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = _created()
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Intake(Base):
    __tablename__ = "intakes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int | None] = _conversation_fk("SET NULL", nullable=True, index=True)
    theme: Mapped[str] = mapped_column(String(32), nullable=False)
    answers: Mapped[dict[str, Any]] = mapped_column(SealedJSON, nullable=False, default=dict)
    age_band: Mapped[str | None] = mapped_column(String(16))
    commune: Mapped[str | None] = mapped_column(SealedText)
    territory: Mapped[str | None] = mapped_column(String(64))
    statuses: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    urgency: Mapped[str] = mapped_column(String(16), nullable=False, default="normal")
    signals: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    lang: Mapped[str] = mapped_column(String(8), nullable=False)
    source: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, nullable=False, index=True
    )


class Referral(Base):
    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intake_id: Mapped[int | None] = mapped_column(
        ForeignKey("intakes.id", ondelete="SET NULL"), index=True
    )
    conversation_id: Mapped[int | None] = _conversation_fk("SET NULL", nullable=True, index=True)
    theme: Mapped[str] = mapped_column(String(32), nullable=False)
    urgency: Mapped[str] = mapped_column(String(16), nullable=False, default="normal")
    reason: Mapped[str] = mapped_column(String(32), nullable=False)
    structure: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(64))
    rule_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="new")
    summary: Mapped[dict[str, Any]] = mapped_column(SealedJSON, nullable=False, default=dict)
    lang: Mapped[str] = mapped_column(String(8), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, nullable=False, index=True
    )
    # Casework (revision 0003): who works the case, and when it moved.
    assigned_to: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL"), index=True
    )
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(32))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Slot(Base):
    __tablename__ = "slots"
    __table_args__ = (
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
    )

    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    place_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    service: Mapped[str] = mapped_column(String(64), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False)
    booked: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Appointment(Base):
    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int | None] = _conversation_fk("SET NULL", nullable=True, index=True)
    slot_key: Mapped[str] = mapped_column(ForeignKey("slots.key"), nullable=False, index=True)
    place_id: Mapped[str] = mapped_column(String(64), nullable=False)
    service: Mapped[str] = mapped_column(String(64), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="booked")
    lang: Mapped[str] = mapped_column(String(8), nullable=False)
    created_at: Mapped[datetime] = _created()
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    structure: Mapped[str | None] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = _created()
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Casework (revision 0003): notification address and duty for round-robin routing.
    email: Mapped[str | None] = mapped_column(String(254))
    on_duty: Mapped[bool] = mapped_column(nullable=False, default=False)
    queues: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Telegram notifications (revision 0005): a one-time code sent to the bot as
    # `/link CODE` ties this account to that Telegram conversation.
    telegram_link_code: Mapped[str | None] = mapped_column(String(16))
    telegram_link_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    telegram_conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )
    # Wrong `/link` codes sent while this account's code waited (revision 0008).
    telegram_link_failures: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )


class ReferralNote(Base):
    __tablename__ = "referral_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(SealedText, nullable=False)
    created_at: Mapped[datetime] = _created()


class ReferralMessage(Base):
    """A message between the conseiller and the young person about one referral."""

    __tablename__ = "referral_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), nullable=False, index=True
    )
    direction: Mapped[str] = mapped_column(String(16), nullable=False)  # to_person | from_person
    author_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="SET NULL"))
    template: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(SealedText, nullable=False)
    created_at: Mapped[datetime] = _created()


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_resource", "resource", "resource_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    resource: Mapped[str] = mapped_column(String(32), nullable=False)
    resource_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False, index=True)


class Notification(Base):
    """Outbox of conseiller notifications (e-mail, signed webhook), retried with backoff."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # email | webhook
    target: Mapped[str] = mapped_column(String(500), nullable=False)
    event: Mapped[str] = mapped_column(String(32), nullable=False)  # new_referral | escalation
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = _created()
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChannelAddress(Base):
    """How to reach a person on a push channel (Telegram): the address sealed at rest
    (see bot/crypto.py), and since when they cannot be reached (they blocked the bot)."""

    __tablename__ = "channel_addresses"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    address: Mapped[str] = mapped_column(String(512), nullable=False)
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class Reminder(Base):
    """A reminder of an appointment, due at a time; claimed once by one worker."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("appointment_id", "kind"),
        Index("ix_reminders_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # day_before | hours_before
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Opening(Base):
    """A dated opening outside the weekly patterns: an outreach-bus stop or a one-off slot."""

    __tablename__ = "openings"
    __table_args__ = (Index("ix_openings_starts_at", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # bus_stop | one_off
    place_id: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    address: Mapped[str] = mapped_column(String(250), nullable=False, default="")
    territory: Mapped[str | None] = mapped_column(String(64))
    service: Mapped[str] = mapped_column(String(64), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    slot_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = _created()
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who published it (revision 0008); None: an admin, or made before.
    created_by: Mapped[int | None] = _made_by()


class Closure(Base):
    """No slots at a place (or everywhere, place_id NULL) between two times: holidays."""

    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    place_id: Mapped[str | None] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    reason: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    created_at: Mapped[datetime] = _created()
    created_by: Mapped[int | None] = _made_by()


class Subscription(Base):
    """An explicit opt-in (e.g. bus announcements), revocable with one tap."""

    __tablename__ = "subscriptions"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(16), primary_key=True)
    territory: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = _created()
