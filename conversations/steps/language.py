"""The language list: the first question, and `/language` at any time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conversations.flows import Step
from conversations.model import Button
from conversations.steps.drawer import Drawer

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder


def _language_buttons(turn: TurnBuilder, step: Step) -> list[Button]:
    return [Button(x.name, f"entry.language.{x.code}") for x in turn.engine.catalogs.languages]


def _render(turn: TurnBuilder, step: Step) -> None:
    text = turn.t(step.text) if step.text else ""
    turn.say(text, tuple(_language_buttons(turn, step)) + turn.nav_buttons(step))


def _chosen(turn: TurnBuilder, step: Step, value: str) -> bool:
    if not turn.engine.catalogs.supports(value):
        return False
    turn.state.lang = value
    turn.goto("entry.consent" if turn.state.consent is None else turn.menu_target(), push=False)
    return True


DRAWERS = {"language": Drawer(_render, _language_buttons, _chosen)}
