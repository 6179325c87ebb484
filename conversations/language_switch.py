"""Switching language: asked when free text looks written in another shipped language,
in both languages, once per language; never silently."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from conversations.i18n import N_
from conversations.model import Button

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

# Asked in both languages when free text seems written in another shipped language.
LANGUAGE_OFFER: Final = N_("Do you want to continue in {language}?")


def maybe_offer_language(turn: TurnBuilder, code: str | None, confidence: float, text: str) -> None:
    """Free text that looks written in another shipped language: offer to switch, in
    both languages, once per language; never switch silently."""
    catalogs = turn.engine.catalogs
    if (
        not code
        or code == turn.state.lang
        or code == turn.lang.split("_")[0]  # a variant of it (fr_FALC: simple French)
        or not catalogs.supports(code)
        or confidence < 0.7
        or len(text.strip()) < 8
        or turn.state.scratch.get("offered_lang") == code
    ):
        return
    turn.state.scratch["offered_lang"] = code
    names = {language.code: language.name for language in catalogs.languages}
    current = turn.lang
    lines = [
        catalogs.gettext(lang, LANGUAGE_OFFER).format(language=names[code])
        for lang in dict.fromkeys((current, code))
    ]
    turn.say(
        "\n".join(lines),
        (
            Button(names[code], f"nav.lang.{code}"),
            Button(names.get(current, current), f"nav.lang.{current}"),
        ),
    )


def switch_language(turn: TurnBuilder, code: str) -> None:
    if not turn.engine.catalogs.supports(code):
        turn.render_current()
        return
    turn.state.lang = code
    if (turn.state.flow, turn.state.step) == ("entry", "language"):
        turn.goto("entry.consent" if turn.state.consent is None else turn.menu_target(), push=False)
        return
    turn.render_current()
