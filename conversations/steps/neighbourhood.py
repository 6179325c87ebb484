"""The indicator question `neighbourhood`: the deployment's QPV names as buttons, then
"another neighbourhood" and "I'd rather not say". Skipped when the directory lists none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conversations.directory import normalize
from conversations.flows import Step
from conversations.i18n import N_
from conversations.model import Button
from conversations.steps.drawer import Drawer

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

OTHER = N_("Another neighbourhood")
NOT_SAID = N_("I'd rather not say")


def _slug(name: str) -> str:
    return normalize(name).replace(" ", "-")


def _answers(turn: TurnBuilder) -> dict[str, str]:
    """Payload tail -> value saved (a QPV name, `other` or `not_said`)."""
    found = {_slug(name): name for name in turn.engine.deployment.qpv_neighbourhoods}
    return {**found, "other": "other", "not_said": "not_said"}


def _buttons(turn: TurnBuilder, step: Step) -> list[Button]:
    prefix = f"{step.flow}.{step.id}."
    names = [Button(n, prefix + _slug(n)) for n in turn.engine.deployment.qpv_neighbourhoods]
    other = Button(turn.t(OTHER), prefix + "other")
    return [*names, other, Button(turn.t(NOT_SAID), prefix + "not_said")]


def _render(turn: TurnBuilder, step: Step) -> None:
    text = turn.t(step.text) if step.text else ""
    turn.say(text, tuple(_buttons(turn, step)) + turn.nav_buttons(step))


def _enter(turn: TurnBuilder, step: Step) -> None:
    if turn.engine.deployment.qpv_neighbourhoods:
        _render(turn, step)
    else:
        turn.goto(turn.next_target(step), push=False)


def _chosen(turn: TurnBuilder, step: Step, value: str) -> bool:
    answer = _answers(turn).get(value)
    if answer is None or step.save is None:
        return False
    turn.state.profile[step.save] = answer
    turn.goto(turn.next_target(step))
    return True


DRAWERS = {"neighbourhood": Drawer(_render, _buttons, _chosen, _enter)}
