"""`understand(text)`: intent, language, confidence and emergency signals of one message.

Two layers. The rules (lexicon cues, looked for in every language at once; everyday
idioms such as "mort de rire" masked first by `not_emergency` cues) and, beside them,
the learned model (learned.py: e5 sentence embeddings and character n-grams, stacked
with the rules' scores), which catches paraphrases. With the model (the default, when
data/model/intent.npz is shipped) decision.py decides: a strong emergency cue or an
emergency score above the calibrated threshold is an emergency; a borderline score
names a `possible_emergency` (the engine asks a safety question); otherwise the most
probable request, with an `about` topic. Without the model (with_model=False) the rules
alone decide as before: any emergency evidence wins (a weak cue such as "j'ai peur" is
enough, with a lower confidence), then the strongest request (ties: REQUEST_INTENTS
order), then small talk, then `other`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple
from functools import cache
from typing import Final

from conversations.understanding.decision import Policy, decide
from conversations.understanding.langmodel import LanguageNgrams, default_language_ngrams
from conversations.understanding.language import LanguageGuesser
from conversations.understanding.learned import IntentModel, default_intent_model
from conversations.understanding.lexicon import MEDICAL, NOT_EMERGENCY, Lexicon, load_lexicon
from conversations.understanding.matcher import Hit, Matcher
from conversations.understanding.memo import ShortTextMemo
from conversations.understanding.model import (
    EMERGENCY_INTENTS,
    INTENT_SIGNALS,
    MEDICAL_SIGNAL,
    REQUEST_INTENTS,
    Intent,
    Understanding,
)
from conversations.understanding.text import tokens

EMERGENCY_THRESHOLD: Final = 0.5  # lower than requests: when unsure, an emergency
REQUEST_THRESHOLD: Final = 0.55
SMALL_TALK: Final = "other"
NOTHING_CONFIDENCE: Final = 0.6  # "other" when no cue at all was found
MAX_CHARS: Final = 2000
# Longer than this, a message is far from the phone-length ones the model learnt from:
# a strong rule cue then decides alone.
LONG_MESSAGE_CHARS: Final = 280
_EMERGENCY_CATEGORIES: Final = (*EMERGENCY_INTENTS, MEDICAL)
# Crying, fear, despair, a broken heart or a wilted flower, SOS (a message of these and
# no letters gets the safety question).
DISTRESS_EMOJI: Final = frozenset("😭😢😥😰😨😱😞😔😟😣😖😫😩🥺💔🥀🆘☹🙁😿")


def _combined(scores: Iterable[float]) -> float:
    """Noisy-or of cue scores: two weak cues make a stronger one."""
    missing = 1.0
    for score in scores:
        missing *= 1.0 - min(score, 1.0)
    return 1.0 - missing


class Understander:
    """Holds the lexicon, its index and the language detector: build once, call often."""

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        *,
        with_language: bool = True,
        with_model: bool = True,
        model: IntentModel | None = None,
        language_ngrams: LanguageNgrams | None = None,
    ) -> None:
        self.lexicon = lexicon or load_lexicon()
        self.matcher = Matcher(self.lexicon.cues)
        if language_ngrams is None and with_model:
            language_ngrams = default_language_ngrams()
        self.guesser = (
            LanguageGuesser(self.lexicon.markers, ngrams=language_ngrams) if with_language else None
        )
        self.model = model or (default_intent_model() if with_model else None)
        # What short texts gave (a town, "oui merci"): the same text, the same reading.
        self.memo: ShortTextMemo[Understanding] = ShortTextMemo()

    def warm_up(self) -> None:
        """Map the encoder and run it once (the first calls are slower): at start-up."""
        if self.model is not None:
            self.model.base("bonjour")

    def _hits(self, text: str) -> list[Hit]:
        hits = self.matcher.find(tokens(text[:MAX_CHARS]))
        masked = {p for h in hits if h.cue.category == NOT_EMERGENCY for p in h.positions}
        return [hit for hit in hits if not _is_masked(hit, masked)]

    def rule_scores(self, text: str) -> dict[str, float]:
        """The lexicon's evidence per category (intents, `medical`), 0..1."""
        return _scores(self._hits(text))

    def signals(self, text: str) -> tuple[str, ...]:
        """The emergency signals of a message (no language detection: cheap)."""
        return _signals(_scores(self._hits(text)))

    def recall(self, text: str) -> Understanding | None:
        """The reading of a short text already understood, without reading it (cheap
        enough for the event loop); None when it has to be read."""
        return self.memo.get(text) if self.memo.holds(text) else None

    def understand(self, text: str) -> Understanding:
        found = self.recall(text)
        if found is None:
            found = self._understand(text)
            if self.memo.holds(text):
                self.memo.put(text, found)
        return found

    def _understand(self, text: str) -> Understanding:
        hits = self._hits(text)
        scores = _scores(hits)
        language, language_confidence = (
            self.guesser.detect(text, _cue_words(hits)) if self.guesser is not None else (None, 0.0)
        )
        if self.model is None or not any(c.isalpha() for c in text):
            intent, confidence = _decide(scores)
            return Understanding(
                intent=intent,
                language=language,
                confidence=round(confidence, 3),
                signals=_signals(scores),
                language_confidence=language_confidence,
                emergency_score=round(confidence, 3) if intent in EMERGENCY_INTENTS else 0.0,
                possible_emergency=_wordless_distress(text, intent),
            )
        proba, emergency_score = self.model.read(text[:MAX_CHARS], scores)
        policy = Policy(*astuple(self.model.thresholds))
        decision = decide(
            proba,
            self.model.labels,
            policy,
            rule_emergency(scores),
            rule_alone=len(text) > LONG_MESSAGE_CHARS,
            score=emergency_score,
        )
        return Understanding(
            intent=decision.intent,
            language=language,
            confidence=decision.confidence,
            signals=_decided_signals(decision.intent, scores),
            language_confidence=language_confidence,
            about=decision.about,
            emergency_score=decision.emergency_score,
            possible_emergency=decision.possible_emergency,
        )


def _wordless_distress(text: str, intent: Intent) -> Intent | None:
    """Tears, fear or a broken heart with no word ("😭😭", "💔", "🆘"): not small talk,
    and nothing to read. The safety question is asked (it costs one tap when all is well);
    "Sorry, I did not understand" would be the coldest answer to it."""
    if intent in EMERGENCY_INTENTS or any(c.isalpha() for c in text):
        return None  # an emergency already, or words to read (the rules-only mode)
    return "distress" if any(c in DISTRESS_EMOJI for c in text) else None


def _scores(hits: Iterable[Hit]) -> dict[str, float]:
    by_category: dict[str, list[float]] = {}
    for hit in hits:
        # An idiom that sounds like an emergency ("mort de rire") is small talk.
        category = SMALL_TALK if hit.cue.category == NOT_EMERGENCY else hit.cue.category
        by_category.setdefault(category, []).append(hit.score)
    return {category: _combined(scores) for category, scores in by_category.items()}


def _cue_words(hits: Iterable[Hit]) -> dict[str, int]:
    """How many message words each language's cues matched."""
    positions: dict[str, set[int]] = {}
    for hit in hits:
        positions.setdefault(hit.cue.language, set()).update(hit.positions)
    return {language: len(found) for language, found in positions.items()}


def _is_masked(hit: Hit, masked: set[int]) -> bool:
    category = hit.cue.category
    return category in _EMERGENCY_CATEGORIES and any(p in masked for p in hit.positions)


def _signals(scores: dict[str, float]) -> tuple[str, ...]:
    found = [
        signal
        for intent, signal in INTENT_SIGNALS.items()
        if scores.get(intent, 0.0) >= EMERGENCY_THRESHOLD
    ]
    if scores.get(MEDICAL, 0.0) >= EMERGENCY_THRESHOLD:
        found.append(MEDICAL_SIGNAL)
    return tuple(found)


def rule_emergency(scores: dict[str, float]) -> tuple[Intent, float]:
    """The rules' strongest emergency and its score (a medical cue counts as distress)."""
    emergency = {intent: scores.get(intent, 0.0) for intent in EMERGENCY_INTENTS}
    emergency["distress"] = max(emergency["distress"], scores.get(MEDICAL, 0.0))
    best = max(EMERGENCY_INTENTS, key=lambda intent: emergency[intent])
    return best, emergency[best]


def _decided_signals(intent: Intent, scores: dict[str, float]) -> tuple[str, ...]:
    """The engine's signals of a decided emergency: the rules' ones, or the intent's."""
    if intent not in EMERGENCY_INTENTS:
        return ()
    found = _signals(scores)
    if found:
        return found
    if intent == "distress" and scores.get(MEDICAL, 0.0) > scores.get("distress", 0.0):
        return (MEDICAL_SIGNAL,)
    return (INTENT_SIGNALS[intent],)


def _decide(scores: dict[str, float]) -> tuple[Intent, float]:
    emergency = {intent: scores.get(intent, 0.0) for intent in EMERGENCY_INTENTS}
    emergency["distress"] = max(emergency["distress"], scores.get(MEDICAL, 0.0))
    best = max(EMERGENCY_INTENTS, key=lambda intent: emergency[intent])
    if emergency[best] >= EMERGENCY_THRESHOLD:
        return best, emergency[best]
    request = max(REQUEST_INTENTS, key=lambda intent: scores.get(intent, 0.0))
    if scores.get(request, 0.0) >= REQUEST_THRESHOLD:
        return request, scores[request]
    if scores.get(SMALL_TALK, 0.0) >= REQUEST_THRESHOLD:
        return "other", scores[SMALL_TALK]
    # Nothing recognised: "other", less sure when some weak evidence was seen.
    return "other", NOTHING_CONFIDENCE * (1.0 - max(scores.values(), default=0.0))


@cache
def default_understander() -> Understander:
    """The shared instance, built on first use from the shipped data (and warmed up)."""
    understander = Understander()
    understander.warm_up()
    return understander


def understand(text: str) -> Understanding:
    """Understand one message with the shipped lexicons and language models."""
    return default_understander().understand(text)
