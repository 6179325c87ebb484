"""Tables of casework: notes, messages between a conseiller and a person, the audit
log, notifications, channel addresses, the aid granted at closing and the bus kiosk's
counts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.model_base import Base, _created
from storage.sealing import SealedText
from storage.types import UTCDateTime, utcnow


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
    """How to reach a person on a push channel (Telegram): the address, sealed at rest like
    every free-text column (storage/sealing.py, re-sealed by `relais admin rotate-keys`),
    and since when they cannot be reached (they blocked the bot)."""

    __tablename__ = "channel_addresses"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    address: Mapped[str] = mapped_column(SealedText(), nullable=False)
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class ReferralAid(Base):
    """The aid granted when a referral was closed (issue 18): fund, purpose and amount in
    euro cents, from the closed lists of `storage/outcomes.py`. At most one per referral;
    reopening and closing again replaces it."""

    __tablename__ = "referral_aids"

    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True
    )
    fund: Mapped[str] = mapped_column(String(32), nullable=False)
    purpose: Mapped[str | None] = mapped_column(String(32))
    amount_cents: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = _created()


class KioskEncounter(Base):
    """Young people met by the bus, counted by its kiosk's "met" button: a number per day
    and place, nothing else (no IP, no session, no person)."""

    __tablename__ = "kiosk_encounters"
    __table_args__ = (UniqueConstraint("day", "place", name="uq_kiosk_encounters_day_place"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    # A known bus stop or place id of the deployment, or "" when the stop is not known.
    place: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ReferralLink(Base):
    """Two open needs of one person (issue 18): a referral created while the same
    conversation already had an open referral on another need, or at another structure,
    points to that earlier one. Same conversation only: identities are never guessed."""

    __tablename__ = "referral_links"

    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True
    )
    linked_referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = _created()
