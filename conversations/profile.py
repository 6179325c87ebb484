"""What a conversation knows about the person, as routing facts and intake fields.

Only answers the person gave are used; derived statuses (minor, BPI, formerly in
child welfare) and the directory's `flags` are computed here so the intake and routing
agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from conversations.model import State

TOPICS: Final = {"aid": "aid_funds"}
# The 🔊 setting (conversations/voice.py), kept in the profile but never a fact: "on"
# when every reply should also come as a voice message.
VOICE_NOTES: Final = "voice"
FORMERLY_ASE: Final = frozenset({"in_care", "cjm", "left_care", "mna"})
# The directory's `flags` (condition_vocabulary), each raised by one answer to a profile
# question: (fact, value) -> flags. A flag no answer raises is never set.
FLAG_ANSWERS: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("young_child_alone", "yes"): ("lone_parent", "child_under_3"),
    ("justice", "pjj"): ("justice_pjj",),
    ("justice", "spip"): ("justice_spip",),
    ("rqth", "yes"): ("rqth",),
}
# The neighbourhood answer: one of the deployment's QPV names, or one of these.
NEIGHBOURHOOD_OTHER: Final = frozenset({"other", "not_said"})
QPV_FLAG: Final = "qpv_resident"


def flag_sources(flag: str) -> frozenset[str]:
    """The facts whose answer can raise `flag`."""
    found = {fact for (fact, _), flags in FLAG_ANSWERS.items() if flag in flags}
    if flag == QPV_FLAG:
        found.add("neighbourhood")
    return frozenset(found)


def flags_of(facts: Mapping[str, Any]) -> list[str]:
    """The flags raised by the answers in `facts`, in the vocabulary's names."""
    found: list[str] = []
    for (fact, value), flags in FLAG_ANSWERS.items():
        if facts.get(fact) == value:
            found += [f for f in flags if f not in found]
    neighbourhood = facts.get("neighbourhood")
    if neighbourhood and neighbourhood not in NEIGHBOURHOOD_OTHER:
        found.append(QPV_FLAG)
    return found


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
    # A journey may ask what it is about (`save: topic`, e.g. health or mental health).
    facts["topic"] = state.answers.get("topic") or TOPICS.get(theme, theme)
    facts["signal"] = list(state.signals)
    facts["flags"] = flags_of(facts)
    facts.pop("commune", None)
    facts.pop(VOICE_NOTES, None)
    return facts


def known_facts(state: State, theme: str) -> dict[str, Any]:
    """The facts answered so far, the town included (for `ask_if_rules_need`)."""
    facts = facts_of(state, theme)
    if "commune" in state.profile:
        facts["commune"] = state.profile["commune"]
    return facts


def intake_profile(state: State) -> dict[str, str]:
    profile = dict(state.profile)
    profile.pop(VOICE_NOTES, None)  # a preference (🔊), not something the person told
    profile["statuses"] = ",".join(statuses(state))
    flags = flags_of({**state.profile, **state.answers})
    if flags:
        profile["flags"] = ",".join(flags)
    if state.source:
        profile["source"] = state.source
    return profile
