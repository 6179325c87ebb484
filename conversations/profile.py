"""What a conversation knows about the person, as routing facts and intake fields.

Only answers the person gave are used; derived statuses (minor, BPI, formerly in
child welfare) are computed here so the intake and routing agree.
"""

from __future__ import annotations

from typing import Any, Final

from conversations.model import State

TOPICS: Final = {"aid": "aid_funds"}
# The 🔊 setting (conversations/voice.py), kept in the profile but never a fact: "on"
# when every reply should also come as a voice message.
VOICE_NOTES: Final = "voice"
FORMERLY_ASE: Final = frozenset({"in_care", "cjm", "left_care", "mna"})


def statuses(state: State) -> list[str]:
    found = []
    if state.profile.get("age_band") in ("u16", "16_17"):
        found.append("minor")
    if state.profile.get("status") == "bpi":
        found.append("bpi")
    if (
        state.profile.get("ase_history") in FORMERLY_ASE
        or state.answers.get("housing_situation") == "care_placement"
    ):
        found.append("formerly_ase")
    return found


def facts_of(state: State, theme: str) -> dict[str, Any]:
    """Routing facts (the directory's condition vocabulary) from profile and answers."""
    facts: dict[str, Any] = {**state.profile, **state.answers}
    facts["topic"] = TOPICS.get(theme, theme)
    facts["signal"] = list(state.signals)
    facts.pop("commune", None)
    facts.pop(VOICE_NOTES, None)
    return facts


def intake_profile(state: State) -> dict[str, str]:
    profile = dict(state.profile)
    profile.pop(VOICE_NOTES, None)  # a preference (🔊), not something the person told
    profile["statuses"] = ",".join(statuses(state))
    if state.source:
        profile["source"] = state.source
    return profile
