"""Which of the shipped languages a message is written in, and how sure we are.

Evidence, in order:
1. the script: Ethiopic is Tigrinya (ti), Bengali is Bengali (bn); Arabic, Cyrillic and
   Latin letters are told apart within their script;
2. letters only one language uses: Pashto's ټ ډ ړ ږ ښ ګ ڼ ې ۍ ځ څ; Ukrainian's і ї є ґ;
   Russian's ы э ъ ё; Turkish's ı ğ ş; digits inside Latin words are Arabizi ("3andi");
3. marker words from the lexicons (function words, native or transliterated: "ana",
   "mne", "kheili", "ami"...), which also catch transliterated text;
4. lingua-language-detector, restricted per script to the languages it models
   (fr/en/tr, ru/uk, ar/fa), loaded once with its models preloaded.
Persian is returned as fa_AF (Dari). Ethiopic text may also be Amharic: it is read as ti.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from conversations.understanding.langmodel import LanguageNgrams
from conversations.understanding.text import fold, script_counts, script_of, tokens

_LINGUA: Final = {
    "latin": {Language.FRENCH: "fr", Language.ENGLISH: "en", Language.TURKISH: "tr"},
    "cyrillic": {Language.RUSSIAN: "ru", Language.UKRAINIAN: "uk"},
    "arabic": {Language.ARABIC: "ar", Language.PERSIAN: "fa_AF"},
}
_LINGUA_CODES: Final = frozenset(c for codes in _LINGUA.values() for c in codes.values())
# Languages written (natively or transliterated) in each script.
_CANDIDATES: Final = {
    "latin": ("fr", "en", "tr", "ar", "fa_AF", "ps", "ru", "uk", "bn", "ti"),
    "cyrillic": ("ru", "uk"),
    "arabic": ("ar", "fa_AF", "ps"),
}
_OWN_LETTERS: Final = {
    "ps": frozenset("ټډړږښګڼېۍځڅ"),
    "uk": frozenset("іїєґ"),
    "ru": frozenset("ыэъё"),
    "tr": frozenset("ığş"),
}
_SCRIPT_WEIGHT: Final = {"latin": 1, "cyrillic": 3, "arabic": 3, "bengali": 3, "ethiopic": 3}
MARKER_WEIGHT: Final = 1.0
CUE_WEIGHT: Final = 0.4
# Scripts whose lingua models are loaded in high-accuracy mode (about 10x the memory;
# measured no better here with the marker words), others in low-accuracy (trigram) mode.
HIGH_ACCURACY_SCRIPTS: Final[frozenset[str]] = frozenset()
OWN_LETTER_WEIGHT: Final = 1.5
_WARM_UP: Final = ("bonjour je cherche", "мне нужна помощь", "أحتاج مساعدة", "کمک میخواهم")
ARABIZI_DIGITS: Final = frozenset("23579")


class LanguageGuesser:
    """Detects the language of short messages; build once (about 0.1 s), then pure."""

    def __init__(
        self,
        markers: Mapping[str, frozenset[str]],
        *,
        high_accuracy: frozenset[str] = HIGH_ACCURACY_SCRIPTS,
        ngrams: LanguageNgrams | None = None,
    ) -> None:
        self._markers = dict(markers)
        self.ngrams = ngrams
        self._detectors: dict[str, LanguageDetector] = {}
        for script, languages in _LINGUA.items():
            builder = LanguageDetectorBuilder.from_languages(*languages)
            if script not in high_accuracy:
                builder = builder.with_low_accuracy_mode()
            self._detectors[script] = builder.with_preloaded_language_models().build()
        for sample in _WARM_UP:  # the first calls of a detector are slower
            self.detect(sample)

    def detect(
        self, text: str, cue_words: Mapping[str, int] | None = None
    ) -> tuple[str | None, float]:
        """(language code, confidence 0..1); (None, 0.0) for text without letters.

        `cue_words` counts, per language, the message words its lexicon cues matched:
        more evidence for transliterated text ("khodama bokosham").
        """
        proba = self.proba(text, cue_words)
        if not proba:
            return None, 0.0
        best = max(proba, key=lambda language: proba[language])
        return best, round(min(1.0, proba[best]), 3)

    def proba(self, text: str, cue_words: Mapping[str, int] | None = None) -> dict[str, float]:
        """Probabilities over the languages the text's script can carry ({}: no letters)."""
        counts = script_counts(text)
        if not counts:
            return {}
        script = max(counts, key=lambda s: counts[s] * _SCRIPT_WEIGHT[s])
        if script == "ethiopic":
            return {"ti": _ethiopic_confidence(tokens(text))}
        if script == "bengali":
            return {"bn": 0.99}
        scores = self.rule_scores(text, script, cue_words)
        total = sum(scores.values()) or 1.0
        proba = {language: score / total for language, score in scores.items()}
        if self.ngrams is not None and self.ngrams.mix > 0:
            learned = self.ngrams.proba(text, tuple(proba))
            mix = self.ngrams.mix
            proba = {c: (1 - mix) * p + mix * learned.get(c, 0.0) for c, p in proba.items()}
        return proba

    def rule_scores(
        self, text: str, script: str, cue_words: Mapping[str, int] | None = None
    ) -> dict[str, float]:
        """Evidence per candidate language of the script: lingua, markers, letters."""
        own = "".join(c for c in text if script_of(c) == script)
        words = tokens(text)
        scores = dict.fromkeys(_CANDIDATES[script], 0.0)
        for value in self._detectors[script].compute_language_confidence_values(own):
            scores[_LINGUA[script][value.language]] += value.value
        self._add_markers(scores, words)
        for language, count in (cue_words or {}).items():
            if language in scores and language not in _LINGUA_CODES:
                scores[language] += CUE_WEIGHT * count
        for language, letters in _OWN_LETTERS.items():
            if language in scores and any(c in letters for c in text.casefold()):
                scores[language] += OWN_LETTER_WEIGHT
        if script == "latin":
            scores["ar"] += OWN_LETTER_WEIGHT * sum(_is_arabizi(w) for w in words)
        return scores

    def _add_markers(self, scores: dict[str, float], words: Sequence[str]) -> None:
        for language in scores:
            markers = self._markers.get(language, frozenset())
            scores[language] += MARKER_WEIGHT * sum(word in markers for word in words)


_NOT_ARABIZI: Final = re.compile(r"\d+(h|e|er|re|eme|ieme|min|mn|st|nd|rd|th|am|pm|km|an|ans)?")


def _is_arabizi(word: str) -> bool:
    """A Latin word with an Arabizi digit in it: 3andi, ma3i, 7ada, share3 (not 2h, 3eme)."""
    return (
        any(c in ARABIZI_DIGITS for c in word)
        and any(c.isalpha() for c in word)
        and word.isascii()
        and _NOT_ARABIZI.fullmatch(word) is None
    )


# Ethiopic script: Tigrinya is shipped, Amharic is not. Frequent words of each (folded:
# አ is read as ኣ); Amharic-looking text is still "ti" (the nearest shipped language) but
# with a low confidence, so the bot does not offer Tigrinya as if it were sure.
_TIGRINYA_WORDS: Final = frozenset(
    fold(w).replace(" ", "")
    for w in "ኣለኹ እየ እዩ ኣሎ ኣነ ደልየ እደሊ እንታይ ኣበይ የብለይን ብኽብረትካ ኣይፈልጥን ሎሚ ለይቲ ከመይ እዚ".split()
)
_AMHARIC_WORDS: Final = frozenset(
    fold(w).replace(" ", "")
    for w in (
        "ነው ነኝ የለኝም እፈልጋለሁ አለብኝ እንዴት ምን የት እኔ አንተ አንቺ ይህ ይሄ ናቸው ነበር አልችልም እባክህ እባክሽ ዛሬ ማታ"
    ).split()
)


def _ethiopic_confidence(words: Sequence[str]) -> float:
    amharic = sum(w in _AMHARIC_WORDS for w in words)
    tigrinya = sum(w in _TIGRINYA_WORDS for w in words)
    if amharic > tigrinya:
        return 0.4
    return 0.95 if tigrinya else 0.9
