"""Value types shared by the engine and its hosts: events in, replies and effects out.

Everything here is plain data (frozen dataclasses, JSON-able state) so that bot/ can
persist it and tests can compare it without any channel or database object.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Final


class EventKind(StrEnum):
    START = "start"
    TEXT = "text"
    PAYLOAD = "payload"
    # The clock: a conversation left half-way gets one nudge, then expires quietly.
    NUDGE = "nudge"
    EXPIRE = "expire"
    # Things the person did not send, told by the engine (conversations/events.py); the
    # host puts the facts in `Event.data`: {"appointment": AppointmentFacts, "kind": ...}.
    REMINDER_DUE = "reminder_due"
    BOOKED_BY_ADVISER = "booked_by_adviser"
    # {"stop": calendar.DatedOpening}: the outreach bus comes near a person who opted in.
    BUS_STOP = "bus_stop"
    # {"kept": KeptData}: what the host keeps about the person, asked with /mydata.
    MY_DATA = "my_data"


@dataclass(frozen=True)
class Event:
    kind: EventKind
    text: str | None = None
    payload: str | None = None
    lang_hint: str | None = None
    source: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def start(cls, lang_hint: str | None = None, source: str | None = None) -> Event:
        return cls(EventKind.START, lang_hint=lang_hint, source=source)

    @classmethod
    def message(cls, text: str) -> Event:
        return cls(EventKind.TEXT, text=text)

    @classmethod
    def button(cls, payload: str) -> Event:
        return cls(EventKind.PAYLOAD, payload=payload)


@dataclass(frozen=True)
class AppointmentFacts:
    """A booked appointment as the host knows it. `place` and `address` come from the
    store for a dated opening (a bus stop); a directory place is named by the engine."""

    id: int
    place_id: str
    starts_at: datetime
    place: str = ""
    address: str = ""


@dataclass(frozen=True)
class KeptData:
    """What the host keeps about a person beyond the state: requests and appointments."""

    # (theme, status) of each referral.
    referrals: tuple[tuple[str, str], ...] = ()
    appointments: tuple[AppointmentFacts, ...] = ()


@dataclass(frozen=True)
class Button:
    label: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    urgent: bool = False
    # A booked appointment whose calendar file the channel can offer (.ics).
    appointment_id: int | None = None
    # The language it is written in (the voice that reads it aloud), and whether the
    # person asked for every reply as a voice message too (Telegram's 🔊 setting).
    lang: str | None = None
    speak: bool = False

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "text": self.text,
            "buttons": [{"label": b.label, "payload": b.payload} for b in self.buttons],
            "urgent": self.urgent,
        }
        if self.appointment_id is not None:
            body["appointment_id"] = self.appointment_id
        if self.lang is not None:
            body["lang"] = self.lang
        if self.speak:
            body["speak"] = True
        return body

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=data["text"],
            buttons=tuple(Button(b["label"], b["payload"]) for b in data.get("buttons", [])),
            urgent=bool(data.get("urgent", False)),
            appointment_id=data.get("appointment_id"),
            lang=data.get("lang"),
            speak=bool(data.get("speak", False)),
        )


# --- effects: what the host must do, inside the turn's transaction -------------------


@dataclass(frozen=True)
class RecordIntake:
    """Write an intake record (only ever emitted when consent was given)."""

    theme: str
    answers: dict[str, str]
    profile: dict[str, str]
    urgency: str
    signals: tuple[str, ...] = ()


@dataclass(frozen=True)
class CreateReferral:
    """Hand the case to a structure's queue, as decided by the routing rules."""

    theme: str
    urgency: str
    reason: str
    structure: str | None
    role: str | None
    rule_id: str | None
    summary: dict[str, Any] = field(default_factory=dict)


# Stands for the id of the appointment a BookAppointment is about to book.
NEW_APPOINTMENT = 0


@dataclass(frozen=True)
class BookAppointment:
    """Take a seat (the database enforces capacity). The engine draws both endings of
    the turn beforehand, so the host only picks one: no second trip into the engine."""

    slot_key: str
    place_id: str
    service: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    replaces: int | None = None
    # State, replies and effects that end the turn when the seat is taken (where
    # NEW_APPOINTMENT stands for its id), and when the slot was full.
    booked: Turn | None = None
    full: Turn | None = None

    def ending(self, appointment_id: int | None) -> Turn:
        """The ending that happened: `full` for None, else `booked` with the id filled in."""
        chosen = self.full if appointment_id is None else self.booked
        if chosen is None:
            raise ValueError("BookAppointment without its endings")
        if appointment_id is None:
            return chosen
        state = chosen.state.copy()
        for item in state.appointments:
            if item["id"] == NEW_APPOINTMENT:
                item["id"] = appointment_id
        replies = tuple(
            replace(r, appointment_id=appointment_id) if r.appointment_id == NEW_APPOINTMENT else r
            for r in chosen.replies
        )
        return Turn(state, replies, chosen.effects)


@dataclass(frozen=True)
class CancelAppointment:
    appointment_id: int


# ReplyToAdviser.referral_id meaning "the person's newest open referral".
NEWEST_OPEN_REFERRAL: Final = 0


@dataclass(frozen=True)
class ReplyToAdviser:
    """The person's answer to a conseiller's message about one referral (NEWEST_OPEN_REFERRAL:
    their newest open one, e.g. the request to talk to a person made the turn before)."""

    referral_id: int
    text: str


@dataclass(frozen=True)
class Subscribe:
    """Explicit opt-in (or out) to announcements, e.g. the bus stops near the person."""

    topic: str
    on: bool
    territory: str | None = None


@dataclass(frozen=True)
class LinkStaffAccount:
    """A conseiller sent `/link CODE`: tie their account's notifications to this chat."""

    code: str


@dataclass(frozen=True)
class ShowMyData:
    """The host answers with what it keeps about the person (it holds the data)."""


@dataclass(frozen=True)
class ForgetMe:
    """Erase the person's data everywhere; anonymised statistics survive."""


Effect = (
    RecordIntake
    | CreateReferral
    | BookAppointment
    | CancelAppointment
    | ReplyToAdviser
    | ShowMyData
    | ForgetMe
    | Subscribe
    | LinkStaffAccount
)


# --- conversation state -----------------------------------------------------------


def _plain(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists, scalars)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


@dataclass
class State:
    """Where one person is in the conversation. Serialised as JSON by the host."""

    lang: str | None = None
    consent: bool | None = None
    flow: str = "entry"
    step: str = "language"
    stack: list[list[str]] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    profile: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    # Booked appointments the person can see, cancel or move: {id, slot, place, service}.
    appointments: list[dict[str, Any]] = field(default_factory=list)
    # Emergency signals already raised (each raises one urgent referral at most).
    signals: list[str] = field(default_factory=list)
    # Scratch values of the step in progress (e.g. the place picked before the day).
    scratch: dict[str, str] = field(default_factory=dict)
    # What the person asked for when consent was asked first ("human" or a flow.step),
    # carried out once they agree; dropped as soon as they leave the consent step.
    after_consent: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # Every turn serialises the state: a plain copy is several times cheaper than
        # dataclasses.asdict (the state holds only JSON values).
        return {name: _plain(getattr(self, name)) for name in self.__dataclass_fields__}

    def copy(self) -> State:
        return State.from_dict(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class Turn:
    state: State
    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...] = ()
