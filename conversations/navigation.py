"""`nav.*` payloads: the moves offered on every step, one handler per action.

A payload is `nav.<action>` or `nav.<action>.<argument>` (e.g. `nav.lang.ar`,
`nav.appt.no.12`, `nav.danger.homeless_tonight`); an unknown one shows the current step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from conversations import handlers, handover, language_switch, safety, voice
from conversations.i18n import N_
from conversations.model import Button, ForgetMe, ShowMyData

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

FORGET_QUESTION: Final = N_(
    "Do you want me to erase everything I keep about you? Your requests to "
    "advisers will be closed. This cannot be undone."
)
FORGOTTEN: Final = N_("Everything about you is erased. Take care! You can write again at any time.")
LANGUAGE_QUESTION: Final = N_("🌐 Which language do you want?")


def _languages(turn: TurnBuilder, _: str) -> None:
    """The language list. Before consent it is the first question again; later it comes
    in place, and a choice asks the current question again in that language: switching
    language half-way through a journey loses nothing."""
    if turn.state.lang is None or turn.state.consent is None:
        turn.goto("entry.language", push=False)
        return
    languages = turn.engine.catalogs.languages
    turn.say(
        turn.t(LANGUAGE_QUESTION),
        tuple(Button(language.name, f"nav.lang.{language.code}") for language in languages),
    )


def _reply_to(turn: TurnBuilder, argument: str) -> None:
    if not argument.isdigit() or not turn.state.consent:
        turn.render_current()
        return
    turn.state.scratch["reply_to"] = argument
    turn.say(turn.t("Write your answer to the adviser:"), (turn.nav_button("menu"),))


def _my_data(turn: TurnBuilder, _: str) -> None:
    # The host puts what it keeps before this re-asked question.
    turn.effects.append(ShowMyData())
    turn.render_current()


def _forget(turn: TurnBuilder, _: str) -> None:
    turn.say(
        turn.t(FORGET_QUESTION),
        (
            Button(turn.t("Yes, erase everything"), "nav.forget_confirmed"),
            Button(turn.t("No, keep it"), "nav.menu"),
        ),
    )


def _forget_confirmed(turn: TurnBuilder, _: str) -> None:
    turn.effects.append(ForgetMe())
    turn.say(turn.t(FORGOTTEN))


def _restart(turn: TurnBuilder, _: str) -> None:
    target = "entry.language" if turn.state.lang is None else turn.menu_target()
    turn.goto(target, push=False)


def _goto(target: str) -> Callable[[TurnBuilder, str], None]:
    return lambda turn, _: turn.goto(target, push=False)


ACTIONS: Final[dict[str, Callable[[TurnBuilder, str], None]]] = {
    "lang": language_switch.switch_language,
    "reply": _reply_to,
    "appt": handlers.appointment_answer,
    "bus": lambda turn, argument: handlers.bus_subscription(turn, argument == "on"),
    "danger": safety.danger,
    "safe": lambda turn, _: safety.safe(turn),
    "voice": lambda turn, arg: voice.on_nav(turn, f"voice.{arg}" if arg else "voice"),
    "back": lambda turn, _: turn.back(),
    "menu": lambda turn, _: turn.goto(turn.menu_target(), push=False),
    "human": lambda turn, _: handover.to_person(turn),
    "language": _languages,
    "stop": lambda turn, _: turn.stop(),
    "consent": _goto("entry.consent"),
    "mydata": _my_data,
    "forget": _forget,
    "forget_confirmed": _forget_confirmed,
    "restart": _restart,
}


def follow(turn: TurnBuilder, payload: str) -> None:
    action, _, argument = payload.removeprefix("nav.").partition(".")
    handler = ACTIONS.get(action)
    if handler is None:
        turn.render_current()
        return
    handler(turn, argument)
