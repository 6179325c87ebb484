"""What the host tells the engine about time and seats before a booking turn.

Seats already taken (slot key → bookings), dated openings stored in the database
(outreach-bus stops and one-off slots published through the admin API) and closures
(holidays) that remove slots. Plain data: the engine stays pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conversations.directory import Permanence, Place


@dataclass(frozen=True)
class DatedOpening:
    id: int
    kind: str  # bus_stop | one_off
    place_id: str
    name: str
    address: str
    territory: str | None
    service: str
    starts_at: datetime
    ends_at: datetime
    slot_minutes: int = 30
    capacity: int = 1

    @classmethod
    def of(cls, row: Any) -> DatedOpening:
        """From a record with the same field names (the store's opening row)."""
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})

    def as_permanence(self) -> Permanence:
        return Permanence(
            id=f"open-{self.id}",
            service=self.service,
            place=self.place_id,
            patterns=(),
            slot_minutes=self.slot_minutes,
            capacity=self.capacity,
            mobile=self.kind == "bus_stop",
            window=(self.starts_at, self.ends_at),
        )

    def as_place(self) -> Place:
        return Place(self.place_id, self.name, self.address, self.territory)


@dataclass(frozen=True)
class ClosedPeriod:
    place_id: str | None  # None: every place
    starts_at: datetime
    ends_at: datetime

    def covers(self, place_id: str, start: datetime, end: datetime) -> bool:
        same_place = self.place_id in (None, place_id)
        return same_place and start < self.ends_at and end > self.starts_at


@dataclass(frozen=True)
class Calendar:
    taken: Mapping[str, int] = field(default_factory=dict)
    openings: tuple[DatedOpening, ...] = ()
    closures: tuple[ClosedPeriod, ...] = ()
