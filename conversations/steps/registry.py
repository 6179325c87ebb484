"""Every kind of drawn step, by the name flows use in `handler:`, and the dispatch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conversations.flows import Step
from conversations.model import Button
from conversations.steps.booking_steps import DRAWERS as BOOKING
from conversations.steps.drawer import Drawer
from conversations.steps.info import DRAWERS as INFO
from conversations.steps.language import DRAWERS as LANGUAGE
from conversations.steps.neighbourhood import DRAWERS as NEIGHBOURHOOD

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

REGISTRY: dict[str, Drawer] = {**LANGUAGE, **INFO, **BOOKING, **NEIGHBOURHOOD}


def _drawer(step: Step) -> Drawer:
    return REGISTRY[step.handler or ""]


def render(turn: TurnBuilder, step: Step) -> None:
    _drawer(step).render(turn, step)


def enter(turn: TurnBuilder, step: Step) -> None:
    drawer = _drawer(step)
    (drawer.enter or drawer.render)(turn, step)


def buttons(turn: TurnBuilder, step: Step) -> list[Button]:
    return _drawer(step).buttons(turn, step)


def on_payload(turn: TurnBuilder, step: Step, payload: str) -> bool:
    prefix = f"{step.flow}.{step.id}."
    if not payload.startswith(prefix):
        return False
    return _drawer(step).on_payload(turn, step, payload[len(prefix) :])
