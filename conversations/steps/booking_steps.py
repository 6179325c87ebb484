"""The booking steps (conversations/booking.py) as drawers: my appointments, place, day,
time, confirm."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conversations import booking
from conversations.flows import Step
from conversations.steps.drawer import Drawer

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder


def _render(turn: TurnBuilder, step: Step) -> None:
    booking.render(turn, step, turn.nav_buttons(step))


DRAWERS = {
    name: Drawer(_render, booking.buttons, booking.on_payload, booking.enter)
    for name in sorted(booking.STEPS)
}
