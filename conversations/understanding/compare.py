"""Two models on the same held-out sets, message by message.

A run's rule compares a candidate with the shipped model. On a blind set of 150
emergencies one message is 0.7 point of recall, so two totals can differ by chance; the
paired counts say how many messages each reads right that the other does not, with an
exact two-sided sign test. Only counts are printed, never a message (the errors of a
held-out set are not read).

    python -m conversations.understanding.compare CANDIDATE_MODEL_DIR [SET ...] [--lexicon DIR]

CANDIDATE_MODEL_DIR holds the candidate's intent.npz and language.npz (a training
worktree's conversations/understanding/data/model); SET names a held-out set (default:
all of them); --lexicon DIR, the candidate's lexicon when the run changed it. The
shipped model is the first, the candidate the second.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from math import comb
from pathlib import Path

from conversations.understanding.corpus import Example, held_out_sets, load_corpus
from conversations.understanding.langmodel import LANGUAGE_FILE, load_language_ngrams
from conversations.understanding.learned import INTENT_FILE, load_intent_model
from conversations.understanding.lexicon import load_lexicon
from conversations.understanding.model import EMERGENCY_INTENTS, Understanding
from conversations.understanding.understander import Understander, default_understander


@dataclass(frozen=True)
class Reading:
    """One message as one model read it."""

    emergency: bool  # the message is an emergency
    read: bool  # read as an emergency
    asked: bool  # not read as one, but given the safety question
    right: bool  # the right intent


def readings(
    samples: Iterable[Example], understand: Callable[[str], Understanding]
) -> list[Reading]:
    found = []
    for sample in samples:
        result = understand(sample.text)
        found.append(
            Reading(
                sample.intent in EMERGENCY_INTENTS,
                result.is_emergency,
                result.uncertain_emergency,
                result.intent == sample.intent,
            )
        )
    return found


def sign_test(wins: int, losses: int) -> float:
    """Exact two-sided sign test: the chance of a split at least this uneven if both
    models were as good (ties, messages both read alike, do not count)."""
    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(comb(n, i) for i in range(min(wins, losses) + 1)) / 2**n
    return min(1.0, 2 * tail)


@dataclass(frozen=True)
class Paired:
    """Messages where only the first model has the property, and only the second."""

    first: int
    second: int

    @property
    def p(self) -> float:
        return sign_test(self.first, self.second)


def _paired(pairs: Sequence[tuple[Reading, Reading]], has: Callable[[Reading], bool]) -> Paired:
    return Paired(
        sum(has(a) and not has(b) for a, b in pairs),
        sum(has(b) and not has(a) for a, b in pairs),
    )


def compare(first: Sequence[Reading], second: Sequence[Reading]) -> dict[str, Paired]:
    """The paired counts a run's rule can judge on."""
    if len(first) != len(second):
        raise ValueError("both models must read the same messages")
    pairs = list(zip(first, second, strict=True))
    emergencies = [(a, b) for a, b in pairs if a.emergency]
    others = [(a, b) for a, b in pairs if not a.emergency]
    return {
        "emergencies read as one": _paired(emergencies, lambda r: r.read),
        "emergencies read or asked": _paired(emergencies, lambda r: r.read or r.asked),
        "false emergencies": _paired(others, lambda r: r.read),
        "right intent": _paired(pairs, lambda r: r.right),
    }


def figures(found: Sequence[Reading]) -> str:
    emergencies = [r for r in found if r.emergency]
    others = [r for r in found if not r.emergency]
    right = sum(r.right for r in found)
    read = sum(r.read for r in emergencies)
    net = sum(r.read or r.asked for r in emergencies)
    false = sum(r.read for r in others)
    return (
        f"accuracy {right}/{len(found)}, emergencies read {read}/{len(emergencies)},"
        f" read or asked {net}/{len(emergencies)}, false emergencies {false}/{len(others)}"
    )


def understander_from(model_dir: Path, lexicon_dir: Path | None = None) -> Understander:
    """An understander with the models of `model_dir` and the lexicon of `lexicon_dir`
    (default: the shipped lexicon)."""
    return Understander(
        load_lexicon(lexicon_dir) if lexicon_dir is not None else None,
        model=load_intent_model(model_dir / INTENT_FILE.name),
        language_ngrams=load_language_ngrams(model_dir / LANGUAGE_FILE.name),
    )


def report(names: Sequence[str], first: Understander, second: Understander) -> list[str]:
    sets = held_out_sets()
    lines: list[str] = []
    pooled: tuple[list[Reading], list[Reading]] = ([], [])
    for name in names:
        samples = load_corpus(sets[name])
        a, b = readings(samples, first.understand), readings(samples, second.understand)
        pooled[0].extend(a)
        pooled[1].extend(b)
        lines += _block(name, a, b)
    if len(names) > 1:
        lines += _block("pooled", *pooled)
    return lines


def _block(name: str, a: Sequence[Reading], b: Sequence[Reading]) -> list[str]:
    lines = [f"{name}", f"  shipped:   {figures(a)}", f"  candidate: {figures(b)}"]
    for what, counts in compare(a, b).items():
        lines.append(
            f"  {what}: shipped only {counts.first}, candidate only {counts.second}"
            f" (sign test p = {counts.p:.3f})"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    sets = held_out_sets()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("candidate", type=Path, help="folder with intent.npz and language.npz")
    parser.add_argument("sets", nargs="*", metavar="SET", help=f"one of {', '.join(sets)}")
    parser.add_argument("--lexicon", type=Path, help="the candidate's lexicon folder, if changed")
    args = parser.parse_args(argv)
    unknown = [name for name in args.sets if name not in sets]
    if unknown:
        parser.error(f"unknown set {', '.join(unknown)} (known: {', '.join(sets)})")
    names = args.sets or list(sets)
    candidate = understander_from(args.candidate, args.lexicon)
    print("\n".join(report(names, default_understander(), candidate)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
