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
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.model_base import NAMING_CONVENTION, Base, _conversation_fk, _created
from storage.model_calendar import Appointment, Closure, Opening, Reminder, Slot, Subscription
from storage.model_casework import (
    AuditEntry,
    ChannelAddress,
    Notification,
    ReferralMessage,
    ReferralNote,
)
from storage.model_teams import Queue, ReplyTemplate
from storage.sealing import SealedJSON, SealedText
from storage.types import UTCDateTime, utcnow

__all__ = [
    "NAMING_CONVENTION",
    "ApiToken",
    "Appointment",
    "AuditEntry",
    "Base",
    "ChannelAddress",
    "Closure",
    "Conversation",
    "InboundMessage",
    "Intake",
    "Notification",
    "Opening",
    "OutboxMessage",
    "Queue",
    "Referral",
    "ReferralMessage",
    "ReferralNote",
    "Reminder",
    "ReplyTemplate",
    "Slot",
    "Subscription",
]


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
    # The yearly report's answers (revision 0011, storage/intake_facts.py): None when the
    # person was not asked or would rather not say.
    gender: Mapped[str | None] = mapped_column(String(16))
    known_to_ml: Mapped[str | None] = mapped_column(String(16))
    qpv_resident: Mapped[bool | None] = mapped_column(Boolean)
    flags: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)


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
    # Most open referrals the round robin gives this account (revision 0012); None: no cap.
    max_open: Mapped[int | None] = mapped_column(Integer)
