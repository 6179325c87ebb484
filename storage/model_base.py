"""The declarative base of the case store and the column helpers its tables share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    MetaData,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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
