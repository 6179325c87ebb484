"""What a drawn step kind provides: render, its buttons, its payloads, entering it."""

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
