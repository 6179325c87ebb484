"""Tables of teams and reply templates (issue 18): the queues of a structure that
conseillers join, and the quick replies admins write, one wording per shipped language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.model_base import Base, _created
from storage.types import UTCDateTime, utcnow


class Queue(Base):
    """A team inside a structure. Its id is what referrals are routed to (`Referral.role`,
    the directory's role ids such as `ml-cmv-housing-referent`); its members are the
    accounts whose `ApiToken.queues` name it."""

    __tablename__ = "queues"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    structure: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    created_at: Mapped[datetime] = _created()


class ReplyTemplate(Base):
    """A quick reply written by an admin: its wording per language code (`texts`). Not
    personal data: what every young person of that language may receive."""

    __tablename__ = "reply_templates"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    texts: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
