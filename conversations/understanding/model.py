"""What `understand` returns: the intents, the languages, and the Understanding record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

Intent = Literal[
    "housing",
    "housing_emergency",
    "cej",
    "aid",
    "appointment",
    "violence",
    "distress",
    "human",
    "language",
    "other",
]

INTENTS: Final[tuple[Intent, ...]] = get_args(Intent)

# Finer topics: appointment/{bus, opening_hours, place}, other/{health, papers}.
About = Literal["bus", "opening_hours", "place", "health", "papers"]
ABOUTS: Final[tuple[About, ...]] = get_args(About)

# The shipped languages (catalog codes); Dari is Persian as written in Afghanistan.
LANGUAGES: Final = ("fr", "en", "ar", "fa_AF", "ps", "uk", "ru", "ti", "bn", "tr")

# Emergencies, strongest first: when several are present the first one is the intent.
EMERGENCY_INTENTS: Final[tuple[Intent, ...]] = ("distress", "violence", "housing_emergency")

# Emergency intent -> the engine's emergency signal (conversations.signals).
INTENT_SIGNALS: Final[dict[str, str]] = {
    "housing_emergency": "homeless_tonight",
    "violence": "violence_against_women",
    "distress": "suicidal_distress",
}
# A medical emergency has no intent of its own: it is read as `distress` and raises
# this signal instead of `suicidal_distress` (unless both are present).
MEDICAL_SIGNAL: Final = "medical_emergency"

# Among the other intents, on equal evidence, the first one wins.
REQUEST_INTENTS: Final[tuple[Intent, ...]] = (
    "human",
    "language",
    "appointment",
    "housing",
    "cej",
    "aid",
)


@dataclass(frozen=True)
class Understanding:
    """One message understood.

    `intent` is one of INTENTS; `confidence` (0..1) is how sure the intent is;
    `language` is a code of LANGUAGES, or None when the text has no letters to go on,
    with `language_confidence`; `signals` are the emergency signals found (the engine's
    names: homeless_tonight, violence_against_women, suicidal_distress,
    medical_emergency), empty for a non-emergency. `about` is a finer topic (ABOUTS) of
    an `appointment` (bus, opening_hours, place) or `other` (health, papers), or None.

    `emergency_score` (0..1) is how likely the message is an emergency of any kind. In
    the borderline band (not read as an emergency, but not safe to ignore)
    `possible_emergency` names the emergency it might be: the engine then asks one kind
    safety question ("Are you safe right now?", or for housing_emergency "Do you have
    somewhere to sleep tonight?"). `uncertain_emergency` is True exactly then.
    """

    intent: Intent
    language: str | None
    confidence: float
    signals: tuple[str, ...] = ()
    language_confidence: float = 0.0
    about: About | None = None
    emergency_score: float = 0.0
    possible_emergency: Intent | None = None

    @property
    def is_emergency(self) -> bool:
        return self.intent in EMERGENCY_INTENTS

    @property
    def uncertain_emergency(self) -> bool:
        return self.possible_emergency is not None and not self.is_emergency

    def as_json(self) -> dict[str, object]:
        """The `relais understand` contract: intent, language, confidence (+ about)."""
        found: dict[str, object] = {
            "intent": self.intent,
            "language": self.language,
            "confidence": self.confidence,
        }
        if self.about is not None:
            found["about"] = self.about
        return found
