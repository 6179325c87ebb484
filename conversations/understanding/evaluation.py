"""Measures `understand` on a labelled set: per-language accuracy and emergency recall.

The set is YAML: {language: {intent: [message, ...]}} (tests/conversations/data/
understanding_eval.yaml). Emergency recall counts an emergency message as caught when
it is read as any emergency intent (the engine then answers with emergency numbers);
accuracy needs the exact intent. False alarms are non-emergencies read as emergencies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import yaml

from conversations.understanding.model import EMERGENCY_INTENTS, INTENTS, Understanding

# In the source tree (the set is test data, not shipped data).
_ROOT: Final = Path(__file__).resolve().parents[2]
EVAL_FILE: Final = _ROOT / "tests" / "conversations" / "data" / "understanding_eval.yaml"


@dataclass(frozen=True)
class Sample:
    language: str
    intent: str
    text: str


@dataclass
class Score:
    n: int = 0
    correct: int = 0
    emergencies: int = 0
    caught: int = 0
    false_alarms: int = 0
    language_correct: int = 0
    errors: list[tuple[Sample, Understanding]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def recall(self) -> float:
        return self.caught / self.emergencies if self.emergencies else 1.0

    @property
    def language_accuracy(self) -> float:
        return self.language_correct / self.n if self.n else 0.0


def load_samples(path: Path = EVAL_FILE) -> list[Sample]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    samples = []
    for language, by_intent in raw.items():
        for intent, texts in by_intent.items():
            if intent not in INTENTS:
                raise ValueError(f"{path}: unknown intent {intent!r} in {language}")
            samples.extend(Sample(language, intent, str(text)) for text in texts)
    return samples


def evaluate(
    samples: Iterable[Sample], understand: Callable[[str], Understanding]
) -> dict[str, Score]:
    """Scores per language, plus "all"."""
    scores: dict[str, Score] = {}
    for sample in samples:
        result = understand(sample.text)
        for key in (sample.language, "all"):
            score = scores.setdefault(key, Score())
            score.n += 1
            score.correct += result.intent == sample.intent
            score.language_correct += result.language == sample.language
            if sample.intent in EMERGENCY_INTENTS:
                score.emergencies += 1
                score.caught += result.is_emergency
            elif result.is_emergency:
                score.false_alarms += 1
        if result.intent != sample.intent:
            scores[sample.language].errors.append((sample, result))
    if "all" in scores:
        scores["all"] = scores.pop("all")
    return scores


def table(scores: dict[str, Score]) -> str:
    """A plain-text table, one line per language and one for all."""
    lines = [
        f"{'language':<9}{'n':>5}{'accuracy':>10}{'emergency recall':>20}"
        f"{'false alarms':>14}{'language':>10}"
    ]
    for language, s in scores.items():
        recall = f"{s.recall:.1%} ({s.caught}/{s.emergencies})"
        lines.append(
            f"{language:<9}{s.n:>5}{s.accuracy:>10.1%}{recall:>20}"
            f"{s.false_alarms:>14}{s.language_accuracy:>10.1%}"
        )
    lines.append(
        "accuracy: exact intent; emergency recall: emergencies read as an emergency;"
        " false alarms: non-emergencies read as one; language: detected language right"
    )
    return "\n".join(lines)
