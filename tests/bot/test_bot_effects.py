"""Effects are carried out from one table: every effect the engine can return has exactly
one handler in bot/effects.py, and nothing else is in the table."""

from __future__ import annotations

from typing import get_args

from bot.effects import EFFECTS
from conversations.model import Effect


def test_every_effect_type_has_one_handler() -> None:
    assert set(EFFECTS) == set(get_args(Effect))
