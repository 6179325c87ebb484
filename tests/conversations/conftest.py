"""Fixtures of the conversation-core tests: one real Engine and a person talking to it.

Nothing is mocked: flows, catalogs, the sample services directory and the signal
patterns are the shipped ones. The clock is fixed at Tuesday 24 November 2026,
09:00 UTC (10:00 in Paris).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conversations.directory import load_directory
from conversations.engine import Engine
from conversations.flows import load_flows
from conversations.i18n import Catalogs
from conversations.model import State
from conversations.signals import SignalDetector
from support.engine_chat import NOW, PARIS, Chat

__all__ = ["NOW", "PARIS", "Chat"]


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(load_flows(), Catalogs(), load_directory(), SignalDetector(), PARIS)


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
