"""A character n-gram language classifier fitted on the corpus (romanised text, Dari vs
Pashto, Russian vs Ukrainian): what the lingua models and the marker words miss.

Fitted at build time (`python -m conversations.understanding.train`) into
data/model/language.npz; loaded once at run time. Its probabilities, restricted to the
languages a script can carry, are mixed with the rule-based scores of language.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np

from conversations.understanding.linear import Softmax, softmax
from conversations.understanding.ngrams import NgramFeaturizer

LANGUAGE_FILE: Final = Path(__file__).resolve().parent / "data" / "model" / "language.npz"
LANGUAGE_DIM: Final = 1 << 14
FEATURIZER: Final = NgramFeaturizer(LANGUAGE_DIM, normaliser="light", sizes=(1, 2, 3, 4))


@dataclass(frozen=True)
class LanguageNgrams:
    languages: tuple[str, ...]
    model: Softmax
    mix: float  # weight of these probabilities against the rules' (calibrated by CV)

    def proba(self, text: str, candidates: Sequence[str]) -> dict[str, float]:
        """Probabilities over the candidate languages (renormalised)."""
        indices, values = FEATURIZER.row(text)
        logits = values @ self.model.weights[indices] + self.model.bias
        proba = softmax(logits.astype(np.float64))
        found = {c: float(proba[self.languages.index(c)]) for c in candidates}
        total = sum(found.values()) or 1.0
        return {c: p / total for c, p in found.items()}

    def save(self, path: Path, meta: dict[str, object]) -> None:
        np.savez_compressed(
            path,
            languages=np.array(self.languages),
            w=self.model.weights.astype(np.float16),
            b=self.model.bias,
            mix=np.array(self.mix),
            meta=np.array(json.dumps(meta)),
        )


def load_language_ngrams(path: Path = LANGUAGE_FILE) -> LanguageNgrams:
    with np.load(path) as data:
        return LanguageNgrams(
            tuple(str(c) for c in data["languages"]),
            Softmax(data["w"].astype(np.float32), data["b"]),
            float(data["mix"]),
        )


@cache
def default_language_ngrams() -> LanguageNgrams | None:
    """The shipped model, loaded once; None when it was not built (rules only)."""
    return load_language_ngrams() if LANGUAGE_FILE.exists() else None
