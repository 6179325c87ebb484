"""Tables of the calendar: seats, appointments, their reminders, dated openings,
closures and bus subscriptions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.model_base import Base, _conversation_fk, _created, _made_by
from storage.types import UTCDateTime


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
