"""Fixtures of the conversation-core tests: one real Engine and a person talking to it.

Nothing is mocked: flows, catalogs, the sample services directory and the signal
patterns are the shipped ones. The clock is fixed at Tuesday 24 November 2026,
09:00 UTC (10:00 in Paris).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conversations.directory import load_directory
from conversations.engine import Engine
from conversations.flows import load_flows
from conversations.i18n import Catalogs
from conversations.model import Effect, Event, EventKind, Reply, State, Turn
from conversations.signals import SignalDetector

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(load_flows(), Catalogs(), load_directory(), SignalDetector(), PARIS)


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

    def result(self, **data: Any) -> Turn:
        return self.send(Event(EventKind.EFFECT_RESULT, data=data))

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


@pytest.fixture
def chat(engine: Engine) -> Callable[..., Chat]:
    """`chat()` is a consented English speaker at the main menu; fields override."""

    def make(state: State | None = None, **fields: Any) -> Chat:
        if state is None:
            defaults: dict[str, Any] = {
                "lang": "en",
                "consent": True,
                "flow": "menu",
                "step": "main",
            }
            state = State(**{**defaults, **fields})
        return Chat(engine, state)

    return make
