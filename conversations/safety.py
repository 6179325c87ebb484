"""The safety net when a message might be an emergency, and "I'm in danger" from any step.

A borderline emergency gets one kind question rather than a guess: "Are you safe right
now?" (violence, distress) or "Do you have somewhere safe to sleep tonight?" (housing),
with one-tap answers. "I'm in danger" (or "nowhere to sleep") brings the emergency card
at once; "I'm safe" goes back to where the person was. The 🆘 button on every step and
`/sos` send `nav.danger`, which needs no question at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from conversations import handover
from conversations.i18n import N_
from conversations.model import Button
from conversations.understanding import INTENT_SIGNALS

if TYPE_CHECKING:
    from conversations.turn import TurnBuilder

# Tapped without context (the 🆘 button): the numbers for someone in danger now.
GENERIC_DANGER: Final = "violence_against_women"
SIGNALS: Final = frozenset(
    {*INTENT_SIGNALS.values(), "minor_in_danger", "medical_emergency", GENERIC_DANGER}
)

ARE_YOU_SAFE: Final = N_("Are you safe right now?")
IN_DANGER: Final = N_("🆘 No, I am in danger")
SAFE: Final = N_("✅ Yes, I am safe")
SLEEP_TONIGHT: Final = N_("Do you have somewhere safe to sleep tonight?")
NOWHERE: Final = N_("🌙 No, nowhere to sleep")
SOMEWHERE: Final = N_("✅ Yes, I have somewhere")
GLAD: Final = N_("Thank you for telling me. I am here if you need me, day and night.")


def ask(turn: TurnBuilder, intent: str) -> None:
    """One question for a message that may be an emergency (`intent` is the suspected one)."""
    signal = INTENT_SIGNALS.get(intent, GENERIC_DANGER)
    if signal == "homeless_tonight":
        question, yes, no = SLEEP_TONIGHT, NOWHERE, SOMEWHERE
    else:
        question, yes, no = ARE_YOU_SAFE, IN_DANGER, SAFE
    turn.say(
        turn.t(question),
        (
            Button(turn.t(yes), f"nav.danger.{signal}"),
            Button(turn.t(no), "nav.safe"),
            turn.nav_button("human"),
        ),
    )


def danger(turn: TurnBuilder, signal: str) -> None:
    """The emergency card at once (and an urgent referral with consent), then the question
    the person was at."""
    signal = signal if signal in SIGNALS else GENERIC_DANGER
    handover.emergency(turn, (signal,))
    turn.render_current(reask=True)


def safe(turn: TurnBuilder) -> None:
    turn.say(turn.t(GLAD))
    turn.render_current()
