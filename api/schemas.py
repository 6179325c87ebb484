"""Response models of the admin API, built from the storage rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class _Row(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ReferralOut(_Row):
    id: int
    intake_id: int | None
    theme: str
    urgency: str
    reason: str
    structure: str | None
    role: str | None
    rule_id: str | None
    status: str
    summary: dict[str, Any]
    lang: str
    created_at: datetime
    assigned_to: int | None
    claimed_at: datetime | None
    first_contact_at: datetime | None
    closed_at: datetime | None
    outcome: str | None


class IntakeOut(_Row):
    id: int
    theme: str
    answers: dict[str, Any]
    age_band: str | None
    commune: str | None
    territory: str | None
    statuses: list[str]
    urgency: str
    signals: list[str]
    lang: str
    source: str | None
    channel: str
    created_at: datetime


class AppointmentOut(_Row):
    id: int
    slot_key: str
    place_id: str
    service: str
    starts_at: datetime
    status: str
    lang: str
    created_at: datetime
