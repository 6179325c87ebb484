"""Engine.advance leaves the caller's state alone, unless the caller hands it over (the
runtime's states are decoded for one turn: it skips the defensive deep copy)."""

from __future__ import annotations

from datetime import UTC, datetime

from conversations.engine import Engine
from conversations.model import Event, State

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def _at_where_sleep() -> State:
    return State(lang="fr", consent=True, flow="housing", step="where_sleep")


def test_the_caller_s_state_is_untouched_by_default(engine: Engine) -> None:
    state = _at_where_sleep()
    before = state.to_dict()
    turn = engine.advance(state, Event.button("housing.where_sleep.hosted_unstable"), NOW)
    assert state.to_dict() == before
    assert turn.state.answers == {"housing_situation": "hosted_unstable"}


def test_a_handed_over_state_gives_the_same_turn(engine: Engine) -> None:
    event = Event.button("housing.where_sleep.hosted_unstable")
    kept = engine.advance(_at_where_sleep(), event, NOW)
    handed = engine.advance(_at_where_sleep(), event, NOW, handed_over=True)
    assert handed.state.to_dict() == kept.state.to_dict()
    assert [r.to_dict() for r in handed.replies] == [r.to_dict() for r in kept.replies]
