"""Measures `understand` on a labelled set: accuracy, emergencies, languages, confusions.

`relais understand --eval` evaluates the held-out test set (data/test/, never fitted or
tuned on); `--eval train` the training corpus with the shipped model (it was fitted on
it: optimistic; the honest training-side figures are the cross-validated ones that
`python -m conversations.understanding.train` prints, and `python -m
conversations.understanding.evaluation cv` prints again from the shipped model); `--eval
PATH` any file or folder of the corpus format (or the old evaluation set's format).

Emergency recall counts an emergency message as caught when it is read as any emergency
intent (the engine then shows the emergency numbers); the safety net also counts one that
gets the safety question (borderline). Accuracy needs the exact intent. False emergencies
are non-emergencies read as an emergency, over all non-emergencies.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from conversations.understanding.corpus import (
    LEGACY_EVAL_FILE,
    TEST_DIR,
    TRAIN_DIR,
    Example,
    held_out_sets,
    load_corpus,
)
from conversations.understanding.model import EMERGENCY_INTENTS, INTENTS, LANGUAGES, Understanding

EVAL_FILE: Final = TEST_DIR  # what `relais understand --eval` measures by default
Sample = Example
_NAMED: Final = {**held_out_sets(), "train": TRAIN_DIR, "legacy": LEGACY_EVAL_FILE}


@dataclass
class Score:
    n: int = 0
    correct: int = 0
    emergencies: int = 0
    caught: int = 0
    asked: int = 0  # emergencies not caught but given the safety question
    false_alarms: int = 0
    false_asked: int = 0  # non-emergencies given the safety question
    language_correct: int = 0
    errors: list[tuple[Sample, Understanding]] = field(default_factory=list)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    languages: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def recall(self) -> float:
        return self.caught / self.emergencies if self.emergencies else 1.0

    @property
    def safety_net_recall(self) -> float:
        caught = self.caught + self.asked
        return caught / self.emergencies if self.emergencies else 1.0

    @property
    def non_emergencies(self) -> int:
        return self.n - self.emergencies

    @property
    def false_emergency_rate(self) -> float:
        return self.false_alarms / self.non_emergencies if self.non_emergencies else 0.0

    @property
    def language_accuracy(self) -> float:
        return self.language_correct / self.n if self.n else 0.0


def load_samples(path: Path = EVAL_FILE) -> list[Sample]:
    """A file or folder of labelled messages; "test", a blind set ("blind", "blind2", …),
    "train" and "legacy" name ours."""
    if not path.exists() and str(path) in _NAMED:
        path = _NAMED[str(path)]
    return load_corpus(path)


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
            score.confusion[sample.intent, result.intent] += 1
            score.languages[sample.language, result.language or "-"] += 1
            if sample.intent in EMERGENCY_INTENTS:
                score.emergencies += 1
                score.caught += result.is_emergency
                score.asked += result.uncertain_emergency
            elif result.is_emergency:
                score.false_alarms += 1
            else:
                score.false_asked += result.uncertain_emergency
        if result.intent != sample.intent:
            scores[sample.language].errors.append((sample, result))
    ordered = {k: scores[k] for k in (*LANGUAGES, *sorted(scores)) if k in scores and k != "all"}
    if "all" in scores:
        ordered["all"] = scores["all"]
    return ordered


def table(scores: dict[str, Score]) -> str:
    """Per-language figures, then the intent and language confusion tables."""
    lines = [
        f"{'language':<9}{'n':>5}{'accuracy':>10}{'emergency recall':>19}{'+asked':>8}"
        f"{'false emergencies':>19}{'asked':>7}{'language':>10}"
    ]
    for language, s in scores.items():
        recall = f"{s.recall:.1%} ({s.caught}/{s.emergencies})"
        false = f"{s.false_emergency_rate:.1%} ({s.false_alarms})"
        lines.append(
            f"{language:<9}{s.n:>5}{s.accuracy:>10.1%}{recall:>19}{s.safety_net_recall:>8.1%}"
            f"{false:>19}{s.false_asked:>7}{s.language_accuracy:>10.1%}"
        )
    lines.append(
        "accuracy: exact intent; emergency recall: emergencies read as an emergency; +asked:"
        " or given the safety question; false emergencies: non-emergencies read as one (over"
        " non-emergencies); asked: non-emergencies given the safety question; language:"
        " detected language right"
    )
    if "all" in scores:
        total = scores["all"]
        lines += ["", "intents (rows: expected, columns: understood)"]
        lines += _confusion(total.confusion, INTENTS, INTENTS)
        seen = sorted({found for _, found in total.languages}, key=_language_order)
        lines += ["", "languages (rows: written in, columns: detected)"]
        lines += _confusion(total.languages, [k for k in scores if k != "all"], seen)
    return "\n".join(lines)


def _language_order(code: str) -> int:
    return LANGUAGES.index(code) if code in LANGUAGES else len(LANGUAGES)


def _confusion(
    counts: Counter[tuple[str, str]], rows: Iterable[str], columns: Iterable[str]
) -> list[str]:
    columns = list(columns)
    short = [c[:6] for c in columns]
    lines = [f"{'':<18}" + "".join(f"{c:>7}" for c in short)]
    for row in rows:
        cells = "".join(f"{counts[row, c] or '.':>7}" for c in columns)
        lines.append(f"{row:<18}{cells}")
    return lines


def errors(scores: dict[str, Score], limit: int = 40) -> str:
    """The first misread messages of each language (to see what still fails)."""
    lines = []
    for language, score in scores.items():
        if language == "all":
            continue
        for sample, result in score.errors[:limit]:
            lines.append(f"{language:<6} {sample.label:<26} -> {result.intent:<18} {sample.text}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """`python -m conversations.understanding.evaluation [NAME|cv|PATH] [-v]`.

    NAME is test, a blind set (blind, blind2, …, every data/blind* folder), train or legacy.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args
    args = [a for a in args if a != "-v"]
    target = args[0] if args else "test"
    if target == "cv":
        from conversations.understanding.learned import read_meta

        print(read_meta().get("cv_table", "no CV figures in the shipped model"))
        return 0
    from conversations.understanding import understand

    scores = evaluate(load_samples(Path(target)), understand)
    print(table(scores))
    if verbose:
        print("\n" + errors(scores))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
