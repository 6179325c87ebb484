"""The learned intent model: e5 and character n-gram classifiers, stacked with the rules.

Three views of a message give probabilities over the fine labels (`housing`,
`appointment/bus`, `other/health`...):
- an e5 sentence embedding (multilingual, catches paraphrases) -> a one-hidden-layer
  network (mlp.py);
- hashed character n-grams (SMS spelling, transliteration, words e5 splits badly)
  -> softmax regression;
- the same e5 embedding against the training corpus's: the votes of the nearest
  messages (neighbours.py);
- the lexicon's cue scores per category (the rules: precise where they fire).
A small stacking regression over [log p_e5, log p_ngram, log p_neighbours, lexicon
scores] gives the final probabilities. The emergency score is the mean of their summed
emergency probability and of an emergency head: a logistic regression "emergency or
not" on the same features and each view's own emergency share (run 13). Everything is
fitted at build time by `python -m conversations.understanding.train` into
data/model/intent.npz; nothing is fitted here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np
from threadpoolctl import threadpool_limits

from conversations.understanding.encoder import embed, threads_setting
from conversations.understanding.lexicon import MEDICAL
from conversations.understanding.linear import Softmax, softmax
from conversations.understanding.mlp import Mlp
from conversations.understanding.model import EMERGENCY_INTENTS, INTENTS
from conversations.understanding.neighbours import Neighbours
from conversations.understanding.ngrams import NgramFeaturizer

MODEL_DIR: Final = Path(__file__).resolve().parent / "data" / "model"
INTENT_FILE: Final = MODEL_DIR / "intent.npz"
# The lexicon categories the stacker reads (scores 0..1 of understander._scores).
LEXICON_FEATURES: Final = (*INTENTS, MEDICAL)
NGRAM_DIM: Final = 1 << 15
PROBA_FLOOR: Final = 1e-4
FEATURIZER: Final = NgramFeaturizer(NGRAM_DIM)
# The fine labels begin with the ten intents, in order (training.LABELS); the emergency
# intents have no finer topics.
EMERGENCY_COLUMNS: Final = [INTENTS.index(intent) for intent in EMERGENCY_INTENTS]


def lexicon_vector(scores: Mapping[str, float]) -> np.ndarray:
    return np.array([scores.get(c, 0.0) for c in LEXICON_FEATURES], np.float32)


def stack_features(
    p_e5: np.ndarray, p_ngram: np.ndarray, p_near: np.ndarray, lexicon: np.ndarray
) -> np.ndarray:
    """The stacker's input rows from the base views' probabilities and the rules."""
    logs = [np.log(np.maximum(p, PROBA_FLOOR)) for p in (p_e5, p_ngram, p_near)]
    return np.hstack([*logs, lexicon])


def emergency_features(
    p_e5: np.ndarray, p_ngram: np.ndarray, p_near: np.ndarray, stacked: np.ndarray
) -> np.ndarray:
    """The emergency head's input rows: the stacker's, and each view's emergency share
    (as a share and its two logs). A share is a sum over labels, which the stacker's
    logs of single labels cannot express."""
    shares = np.stack([p[:, EMERGENCY_COLUMNS].sum(axis=1) for p in (p_e5, p_ngram, p_near)], 1)
    logs = [np.log(np.maximum(q, PROBA_FLOOR)) for q in (shares, 1.0 - shares)]
    return np.hstack([stacked, shares, *logs])


@dataclass(frozen=True)
class Thresholds:
    """Emergency score cut-offs, calibrated by cross-validation on the training corpus."""

    emergency: float  # at or above: read as an emergency
    borderline: float  # at or above (and below `emergency`): ask the safety question
    rule: float  # a lexicon emergency cue this strong decides alone


@dataclass(frozen=True)
class IntentModel:
    labels: tuple[str, ...]
    e5_mean: np.ndarray
    e5_scale: np.ndarray
    e5: Mlp
    ngram: Softmax
    neighbours: Neighbours
    stacker: Softmax
    thresholds: Thresholds
    corpus_digest: str
    # "Emergency or not" (2 classes) on emergency_features; None in older model files.
    emergency_head: Softmax | None = None

    def base(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(p_e5, p_ngram, p_neighbours) of one message."""
        embedded = embed(text)
        vector = (embedded - self.e5_mean) / self.e5_scale
        indices, values = FEATURIZER.row(text)
        ngram_logits = values @ self.ngram.weights[indices] + self.ngram.bias
        return (
            self.e5.proba(vector[None, :])[0],
            softmax(ngram_logits.astype(np.float64)),
            self.neighbours.proba(embedded[None, :])[0],
        )

    def read(self, text: str, lexicon_scores: Mapping[str, float]) -> tuple[np.ndarray, float]:
        """Final probabilities over `labels`, and the emergency score."""
        views = [p[None, :] for p in self.base(text)]
        stacked = stack_features(*views, lexicon_vector(lexicon_scores)[None, :])
        proba = self.stacker.proba(stacked)
        return proba[0], float(emergency_score(proba, self.emergency_head, *views, stacked)[0])

    def save(self, path: Path, meta: Mapping[str, object]) -> None:
        np.savez_compressed(
            path,
            labels=np.array(self.labels),
            e5_mean=self.e5_mean.astype(np.float32),
            e5_scale=self.e5_scale.astype(np.float32),
            e5_hidden_w=self.e5.hidden_weights.astype(np.float16),
            e5_hidden_b=self.e5.hidden_bias,
            e5_w=self.e5.weights.astype(np.float16),
            e5_b=self.e5.bias,
            ngram_w=self.ngram.weights.astype(np.float16),
            ngram_b=self.ngram.bias,
            near_rows=self.neighbours.rows,
            near_scale=self.neighbours.scale,
            near_labels=self.neighbours.labels,
            near_k_tau=np.array([self.neighbours.k, self.neighbours.tau]),
            stack_w=self.stacker.weights,
            stack_b=self.stacker.bias,
            **(
                {}
                if self.emergency_head is None
                else {"head_w": self.emergency_head.weights, "head_b": self.emergency_head.bias}
            ),
            thresholds=np.array(
                [self.thresholds.emergency, self.thresholds.borderline, self.thresholds.rule]
            ),
            meta=np.array(json.dumps({**meta, "corpus_digest": self.corpus_digest})),
        )


def emergency_score(
    proba: np.ndarray,
    head: Softmax | None,
    p_e5: np.ndarray,
    p_ngram: np.ndarray,
    p_near: np.ndarray,
    stacked: np.ndarray,
) -> np.ndarray:
    """Rows' emergency scores: the stacker's summed emergency probability, averaged with
    the emergency head's when there is one."""
    summed = proba[:, EMERGENCY_COLUMNS].sum(axis=1)
    if head is None:
        return summed
    features = emergency_features(p_e5, p_ngram, p_near, stacked)
    return (summed + head.proba(features)[:, 1]) / 2


def read_meta(path: Path = INTENT_FILE) -> dict[str, object]:
    with np.load(path) as data:
        return dict(json.loads(str(data["meta"])))


def load_intent_model(path: Path = INTENT_FILE) -> IntentModel:
    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
        emergency, borderline, rule = (float(v) for v in data["thresholds"])
        return IntentModel(
            labels=tuple(str(label) for label in data["labels"]),
            e5_mean=data["e5_mean"],
            e5_scale=data["e5_scale"],
            e5=Mlp(
                data["e5_hidden_w"].astype(np.float32),
                data["e5_hidden_b"],
                data["e5_w"].astype(np.float32),
                data["e5_b"],
            ),
            ngram=Softmax(data["ngram_w"].astype(np.float32), data["ngram_b"]),
            neighbours=Neighbours(
                data["near_rows"],
                data["near_scale"],
                data["near_labels"],
                len(data["labels"]),
                int(data["near_k_tau"][0]),
                float(data["near_k_tau"][1]),
            ),
            stacker=Softmax(data["stack_w"], data["stack_b"]),
            thresholds=Thresholds(emergency, borderline, rule),
            corpus_digest=str(meta["corpus_digest"]),
            emergency_head=Softmax(data["head_w"], data["head_b"]) if "head_w" in data else None,
        )


@cache
def default_intent_model() -> IntentModel | None:
    """The shipped model, loaded once; None when it was not built (rules only).

    Loading it caps numpy's BLAS at RELAIS_BLAS_THREADS threads (default 1) for the
    process: a message's products are small (384 x 256, 8 332 x 384), and OpenBLAS's own
    threads, which keep spinning after each product, took the cores from the e5 engine's
    OpenMP threads and the event loop (p90 of `understand()` 120 ms with two BLAS
    threads, 28 ms with one; docs/understanding.md, speed)."""
    threadpool_limits(limits=threads_setting("RELAIS_BLAS_THREADS", 1), user_api="blas")
    return load_intent_model() if INTENT_FILE.exists() else None
