"""Free-text understanding (issue 5): the evaluation targets, language detection per
script, hard negatives, the merged emergency detector, and purity (no I/O per call).

The evaluation set here is the old one (tests/conversations/data/understanding_eval.yaml),
now part of the training corpus of the learned model (issue 13): these are training-side
figures. The held-out test set is measured in understanding/test_model.py; latency is
measured by bench/understanding.py, not asserted here."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from conversations.signals import SignalDetector
from conversations.understanding import (
    EMERGENCY_INTENTS,
    INTENTS,
    LANGUAGES,
    Understander,
    Understanding,
    default_understander,
    understand,
)
from conversations.understanding.corpus import LEGACY_EVAL_FILE
from conversations.understanding.evaluation import Sample, Score, evaluate, load_samples


@pytest.fixture(scope="module")
def understander() -> Understander:
    return default_understander()


@pytest.fixture(scope="module")
def samples() -> list[Sample]:
    return load_samples(LEGACY_EVAL_FILE)


@pytest.fixture(scope="module")
def scores(understander: Understander, samples: list[Sample]) -> dict[str, Score]:
    return evaluate(samples, understander.understand)


# --- the evaluation set and its targets -------------------------------------------------


def test_every_language_has_30_messages_and_every_intent(samples: list[Sample]) -> None:
    per_language = Counter(s.language for s in samples)
    assert set(per_language) == set(LANGUAGES)
    assert min(per_language.values()) >= 30
    for language in LANGUAGES:
        assert {s.intent for s in samples if s.language == language} == set(INTENTS), language


def test_overall_accuracy_is_at_least_90_percent(scores: dict[str, Score]) -> None:
    assert scores["all"].accuracy >= 0.90, _report(scores)


@pytest.mark.parametrize("language", LANGUAGES)
def test_emergency_recall_is_at_least_98_percent(scores: dict[str, Score], language: str) -> None:
    assert scores[language].recall >= 0.98, _report(scores, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_is_within_10_points_of_french(
    scores: dict[str, Score], language: str
) -> None:
    assert scores[language].accuracy >= scores["fr"].accuracy - 0.10, _report(scores, language)


def _report(scores: dict[str, Score], language: str = "all") -> str:
    errors = [e for key, s in scores.items() if key in (language, "all") for e in s.errors]
    return "\n".join(f"{s.language} {s.intent} -> {r.intent}: {s.text}" for s, r in errors)


# --- language detection -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("jsui a la rue ce soir", "fr"),
        ("bonjour je cherche un logement", "fr"),
        ("I need a flat please", "en"),
        ("أحتاج سكن", "ar"),
        ("ana bidi sakan ya3ni", "ar"),  # Arabizi
        ("کار می‌خواهم", "fa_AF"),
        ("mekhaham khodama bokosham", "fa_AF"),
        ("کور غواړم", "ps"),  # Pashto letters
        ("мені потрібне житло", "uk"),
        ("мне нужна квартира", "ru"),
        ("mne nuzhna kvartira", "ru"),
        ("ስራሕ እደሊ ኣለኹ", "ti"),  # Ethiopic script
        ("আমার একটা বাসা দরকার", "bn"),  # Bengali script
        ("ev arıyorum", "tr"),
    ],
)
def test_language_is_detected(understander: Understander, text: str, language: str) -> None:
    result = understander.understand(text)
    assert result.language == language
    assert 0.0 < result.language_confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "115", "😀 !!"])
def test_no_letters_no_language(understander: Understander, text: str) -> None:
    assert understander.understand(text).language is None


# --- safety: hard negatives, emergencies first --------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "mort de rire",
        "je suis mort de fatigue",
        "ce film me tue",
        "je me suis fait virer de mon travail",
        "this film kills me",
        "I'm dying to see it",
        "im dead tired lol",
        "you killed it",
        "please get in touch with me",
        "ميت من التعب",
        "از خنده مردم",
        "له خندا مړ شوم",
        "умираю со смеху",
        "помираю зі сміху",
        "ብሰሓቕ ሞይተ",
        "হাসতে হাসতে মরে গেলাম",
        "gülmekten öldüm",
        "logement social için nasıl başvurulur",
    ],
)
def test_hard_negatives_are_not_emergencies(understander: Understander, text: str) -> None:
    result = understander.understand(text)
    assert not result.is_emergency
    assert result.signals == ()
    assert SignalDetector(understander=understander).detect(text) == ()


def test_an_address_is_not_an_emergency(understander: Understander) -> None:
    # (signals.yaml's broad French regex "a la rue" still fires here, on purpose.)
    assert not understander.understand("j'habite à la rue de la Paix").is_emergency


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("bonjour, je cherche un logement mais ce soir je dors dehors", "housing_emergency"),
        ("merci, mais mon copain me frappe", "violence"),
        ("rdv demain? jveux mourir", "distress"),
    ],
)
def test_any_emergency_wins(understander: Understander, text: str, intent: str) -> None:
    assert understander.understand(text).intent == intent


def test_a_weak_cue_is_never_small_talk(understander: Understander) -> None:
    # Issue 13 changed this: a weak cue alone ("j'ai peur") was read as `violence`; with
    # the learned model it is an emergency or, when the model is unsure, gets the safety
    # question (possible_emergency), never plain small talk.
    weak, strong = understander.understand("j'ai peur"), understander.understand("il me frappe")
    assert weak.is_emergency or weak.possible_emergency in EMERGENCY_INTENTS
    assert strong.intent == "violence"
    assert weak.emergency_score < strong.emergency_score


@pytest.mark.parametrize(
    ("text", "signals"),
    [
        ("je dors dehors", ("homeless_tonight",)),
        ("my boyfriend beats me", ("violence_against_women",)),
        ("хочу покончить с собой", ("suicidal_distress",)),
        ("my friend took a lot of pills and wont wake up", ("medical_emergency",)),
    ],
)
def test_signals_map_the_emergencies(
    understander: Understander, text: str, signals: tuple[str, ...]
) -> None:
    assert understander.understand(text).signals == signals


def test_a_medical_emergency_is_read_as_distress(understander: Understander) -> None:
    assert understander.understand("il a fait une overdose").intent == "distress"


def test_signal_detector_covers_every_language(samples: list[Sample]) -> None:
    detector = SignalDetector()
    missed = [
        s.text for s in samples if s.intent in EMERGENCY_INTENTS and not detector.detect(s.text)
    ]
    assert missed == []


def test_signal_detector_keeps_its_api() -> None:
    detector = SignalDetector()
    assert set(detector.signals) >= {
        "homeless_tonight",
        "violence_against_women",
        "suicidal_distress",
        "medical_emergency",
    }
    assert detector.detect("پدرم مرا میزند", "16_17") == (
        "violence_against_women",
        "minor_in_danger",
    )


# --- contract ----------------------------------------------------------------------------


def test_result_contract(understander: Understander) -> None:
    result = understand("I need a flat")
    assert isinstance(result, Understanding)
    assert result.intent in INTENTS
    # With the learned model the confidence is a probability, no longer 1.0 for a cue.
    assert result.as_json() == {
        "intent": "housing",
        "language": "en",
        "confidence": result.confidence,
    }
    assert 0.5 <= result.confidence <= 1.0
    assert understander is default_understander()


def test_long_messages_are_fine(understander: Understander) -> None:
    # (No wall-clock assert: bench/understanding.py measures latency.)
    text = "bonjour " * 400 + "je dors dehors"
    assert understander.understand(text[:3000]).intent in INTENTS
    # The encoder reads the head and the tail of a long message, the rules all of it.
    assert understander.understand("bonjour " * 200 + "je dors dehors").is_emergency


# --- purity and speed --------------------------------------------------------------------

_WATCHED = ("open", "os.", "socket.", "subprocess.", "shutil.", "urllib.", "http.")
_seen: list[str] | None = None


def _audit(event: str, _args: Any) -> None:
    if _seen is not None and event.startswith(_WATCHED):
        _seen.append(event)


sys.addaudithook(_audit)


@contextmanager
def _recording_io() -> Iterator[list[str]]:
    global _seen
    _seen = []
    try:
        yield _seen
    finally:
        _seen = None


def test_the_io_recorder_sees_io(tmp_path: Any) -> None:
    with _recording_io() as events:
        (tmp_path / "x.txt").write_text("x")
    assert "open" in events


def test_no_io_at_call_time(understander: Understander, samples: list[Sample]) -> None:
    understander.understand("warm up")
    detector = SignalDetector(understander=understander)
    with _recording_io() as events:
        for sample in samples:
            understander.understand(sample.text)
            detector.detect(sample.text)
    assert events == []
