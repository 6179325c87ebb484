"""A person talking to a real Engine: keeps the state between turns and logs every turn."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from conversations.engine import Engine
from conversations.model import BookAppointment, Effect, Event, Reply, State, Turn

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class Chat:
    """One person's conversation: keeps the state between turns and logs every turn."""

    def __init__(self, engine: Engine, state: State, now: datetime = NOW) -> None:
        self.engine = engine
        self.state = state
        self.now = now
        self.turns: list[Turn] = []

    def send(self, event: Event, availability: Mapping[str, int] | None = None) -> Turn:
        turn = self.engine.advance(self.state, event, self.now, availability)
        self.state = turn.state
        self.turns.append(turn)
        return turn

    def press(self, payload: str, availability: Mapping[str, int] | None = None) -> Turn:
        return self.send(Event.button(payload), availability)

    def say(self, text: str, availability: Mapping[str, int] | None = None) -> Turn:
        return self.send(Event.message(text), availability)

    def settle(self, appointment_id: int | None) -> Turn:
        """The host's part of the last booking: the seat taken (its id), or None if full."""
        (booking,) = [e for e in self.last.effects if isinstance(e, BookAppointment)]
        ending = booking.ending(appointment_id)
        self.state = ending.state
        self.turns.append(ending)
        return ending

    def skip_profile(self, until: str) -> Turn:
        """Answer "I'd rather not say" to the short profile and the yearly report's
        questions (flows/_templates.yaml) until step `until`; the last turn."""
        for _ in range(12):
            flow, step = self.where
            if step == until:
                return self.last
            self.press(f"{flow}.{step}.not_said")
        raise AssertionError(f"{until!r} not reached, still at {self.where}")

    @property
    def where(self) -> tuple[str, str]:
        return self.state.flow, self.state.step

    @property
    def last(self) -> Turn:
        return self.turns[-1]

    @property
    def effects(self) -> list[Effect]:
        return [effect for turn in self.turns for effect in turn.effects]

    def effects_of(self, kind: type) -> list[Any]:
        return [effect for effect in self.effects if isinstance(effect, kind)]

    @staticmethod
    def payloads(reply: Reply) -> list[str]:
        return [button.payload for button in reply.buttons]

    def last_payloads(self) -> list[str]:
        """Buttons of the last reply of the last turn (the question being asked)."""
        return self.payloads(self.last.replies[-1])

    def last_texts(self) -> list[str]:
        return [reply.text for reply in self.last.replies]
