"""Voice: the 🔊 setting (every reply also as a voice message) and voice messages received.

`nav.voice` (the 🔊 button in the menu, `/voice`) turns the setting on or off; it is kept
in `State.profile` (never shown to advisers, never in an intake). A language without a
voice says so and offers a person. `nav.voice.heard[.<hint>]` is what a channel sends
when the person sent a voice message (Telegram): Relais cannot listen yet, so it answers
kindly in the person's language, re-asks where they are, and creates nothing; the host
never fetches the audio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from conversations.i18n import N_
from conversations.profile import VOICE_NOTES

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

VOICE_ON: Final = N_("🔊 From now on, I also send each answer as a voice message.")
VOICE_OFF: Final = N_("🔇 Voice messages are off. I only write.")
NO_VOICE: Final = N_(
    "Sorry, I cannot speak your language yet. A person can help you: tap “Talk to a person”."
)
CANNOT_LISTEN: Final = N_(
    "I can't listen to voice messages yet. Tap a button, or ask for a person."
)


def on_nav(turn: TurnBuilder, action: str) -> None:
    """`voice` toggles the setting; `voice.heard[.<hint>]` answers a voice message."""
    if action == "voice":
        toggle(turn)
    elif action == "voice.heard" or action.startswith("voice.heard."):
        heard(turn, action.removeprefix("voice.heard").lstrip(".") or None)
    else:
        turn.render_current()


def toggle(turn: TurnBuilder) -> None:
    profile = turn.state.profile
    if profile.get(VOICE_NOTES) == "on":
        del profile[VOICE_NOTES]
        turn.say(turn.t(VOICE_OFF))
    elif turn.engine.catalogs.voice(turn.lang) is None:
        turn.say(turn.t(NO_VOICE), (turn.nav_button("human"),))
    else:
        profile[VOICE_NOTES] = "on"
        turn.say(turn.t(VOICE_ON))
    turn.render_current()


def heard(turn: TurnBuilder, hint: str | None) -> None:
    """A voice message: a kind answer in the person's language, then the current question."""
    if turn.state.lang is None:
        turn.state.lang = turn.engine.catalogs.pick(hint)
    turn.say(turn.t(CANNOT_LISTEN), (turn.nav_button("human"),))
    turn.render_current()
