"""Steps drawn by code rather than by a fixed list of choices: one drawer per kind.

A flow step names its kind with `handler:` (flows/*.yaml); the drawer renders it, lists
its buttons and reads the payloads of its own buttons (`<flow>.<step>.<value>`). Kinds:
the language list, the emergency numbers, the places and opening hours, the week's bus
stops (conversations/steps/info.py), and the booking steps (conversations/booking.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conversations.flows import Step
from conversations.model import Button

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder


def _no_buttons(turn: TurnBuilder, step: Step) -> list[Button]:
    return []


def _no_payload(turn: TurnBuilder, step: Step, value: str) -> bool:
    return False


@dataclass(frozen=True)
class Drawer:
    render: Callable[[TurnBuilder, Step], None]
    buttons: Callable[[TurnBuilder, Step], list[Button]] = _no_buttons
    on_payload: Callable[[TurnBuilder, Step, str], bool] = _no_payload
    # What entering the step does (booking steps may skip ahead); rendering by default.
    enter: Callable[[TurnBuilder, Step], None] | None = None


def registry() -> dict[str, Drawer]:
    """Every kind of drawn step, by the name flows use in `handler:`."""
    from conversations.steps.booking_steps import DRAWERS as BOOKING
    from conversations.steps.info import DRAWERS as INFO
    from conversations.steps.language import DRAWERS as LANGUAGE

    return {**LANGUAGE, **INFO, **BOOKING}


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


REGISTRY: dict[str, Drawer] = registry()
