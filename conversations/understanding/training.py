"""Build-time fitting and cross-validation of the intent model (numpy only).

Used by `python -m conversations.understanding.train`, which writes the shipped weights,
and by the evaluation's cross-validated figures. Never imported at run time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from conversations.understanding.corpus import Example
from conversations.understanding.encoder import DIM, embed
from conversations.understanding.learned import (
    EMERGENCY_COLUMNS,
    FEATURIZER,
    IntentModel,
    Thresholds,
    emergency_features,
    emergency_score,
    lexicon_vector,
    stack_features,
)
from conversations.understanding.linear import Softmax, fit
from conversations.understanding.mlp import Mlp, fit_mlp
from conversations.understanding.model import ABOUTS, INTENTS
from conversations.understanding.neighbours import Neighbours
from conversations.understanding.ngrams import Csr
from conversations.understanding.understander import Understander

# The fine labels: every intent, and the finer topics the corpus uses.
LABELS: tuple[str, ...] = (
    *INTENTS,
    *(f"appointment/{a}" for a in ABOUTS[:3]),
    *(f"other/{a}" for a in ABOUTS[3:]),
)


@dataclass(frozen=True)
class Hyper:
    e5_hidden: int = 256
    e5_l2: float = 1e-3
    e5_steps: int = 400
    e5_rate: float = 3e-3
    ngram_l2: float = 1e-5
    stack_l2: float = 1e-4
    steps: int = 300
    stack_steps: int = 500
    head_l2: float = 1e-4


@dataclass
class Views:
    """The features of a list of examples."""

    e5: np.ndarray
    ngram: Csr
    lexicon: np.ndarray
    y: np.ndarray
    languages: np.ndarray


def _cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "relais" / "e5-embeddings.npz"


def embeddings(texts: Sequence[str]) -> np.ndarray:
    """e5 embeddings, cached on disk (outside the repository) by text."""
    path = _cache_path()
    known: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as data:
            known = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
    keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
    missing = sorted({(k, t) for k, t in zip(keys, texts, strict=True) if k not in known})
    if missing:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            vectors = list(pool.map(embed, [t for _, t in missing]))
        known.update((k, v) for (k, _), v in zip(missing, vectors, strict=True))
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, keys=np.array(list(known)), vectors=np.array(list(known.values())))
    if not keys:
        return np.zeros((0, DIM), np.float32)
    return np.stack([known[k] for k in keys])


def views(examples: Sequence[Example], understander: Understander) -> Views:
    texts = [e.text for e in examples]
    return Views(
        e5=embeddings(texts),
        ngram=FEATURIZER.matrix(texts),
        lexicon=np.stack([lexicon_vector(understander.rule_scores(t)) for t in texts])
        if texts
        else np.zeros((0, 11), np.float32),
        y=np.array([LABELS.index(e.label) for e in examples]),
        languages=np.array([e.language for e in examples]),
    )


def folds(examples: Sequence[Example], k: int = 5, seed: int = 13) -> list[np.ndarray]:
    """Stratified k folds (by language and label): index arrays of the held-out parts."""
    rng = np.random.default_rng(seed)
    strata: dict[tuple[str, str], list[int]] = {}
    for i, e in enumerate(examples):
        strata.setdefault((e.language, e.label), []).append(i)
    parts: list[list[int]] = [[] for _ in range(k)]
    offset = 0
    for key in sorted(strata):
        members = rng.permutation(strata[key])
        for j, i in enumerate(members):
            parts[(offset + j) % k].append(int(i))
        offset += len(members)
    return [np.array(sorted(p)) for p in parts]


@dataclass(frozen=True)
class Base:
    mean: np.ndarray
    scale: np.ndarray
    e5: Mlp
    ngram: Softmax
    neighbours: Neighbours

    def proba(self, v: Views, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        e5 = self.e5.proba((v.e5[rows] - self.mean) / self.scale)
        return e5, self.ngram.proba(v.ngram.take(rows)), self.neighbours.proba(v.e5[rows])


def fit_base(v: Views, rows: np.ndarray, hyper: Hyper) -> Base:
    x = v.e5[rows]
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    n = len(LABELS)
    e5 = fit_mlp(
        (x - mean) / scale,
        v.y[rows],
        n,
        hidden=hyper.e5_hidden,
        l2=hyper.e5_l2,
        steps=hyper.e5_steps,
        rate=hyper.e5_rate,
    )
    ngram = fit(v.ngram.take(rows), v.y[rows], n, l2=hyper.ngram_l2, steps=hyper.steps, rate=0.2)
    return Base(mean, scale, e5, ngram, Neighbours.of(x, v.y[rows], n))


def out_of_fold(
    v: Views, parts: Sequence[np.ndarray], hyper: Hyper
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Base-view probabilities (e5, n-grams, neighbours) of every example from views that
    did not see it."""
    n = len(v.y)
    p_e5, p_ngram, p_near = (np.zeros((n, len(LABELS))) for _ in range(3))
    everything = np.arange(n)
    for held in parts:
        base = fit_base(v, np.setdiff1d(everything, held), hyper)
        p_e5[held], p_ngram[held], p_near[held] = base.proba(v, held)
    return p_e5, p_ngram, p_near


def fit_stacker(stacked: np.ndarray, y: np.ndarray, hyper: Hyper) -> Softmax:
    return fit(stacked, y, len(LABELS), l2=hyper.stack_l2, steps=hyper.stack_steps)


def stacked_out_of_fold(
    base: tuple[np.ndarray, np.ndarray, np.ndarray],
    v: Views,
    parts: Sequence[np.ndarray],
    hyper: Hyper,
) -> np.ndarray:
    """Stacker probabilities of every example from stackers that did not see it;
    `base`: the out-of-fold (p_e5, p_ngram, p_neighbours)."""
    stacked = stack_features(*base, v.lexicon)
    out = np.zeros((len(v.y), len(LABELS)))
    everything = np.arange(len(v.y))
    for held in parts:
        rows = np.setdiff1d(everything, held)
        out[held] = fit_stacker(stacked[rows], v.y[rows], hyper).proba(stacked[held])
    return out


def fit_head(
    base: tuple[np.ndarray, np.ndarray, np.ndarray],
    stacked: np.ndarray,
    y: np.ndarray,
    hyper: Hyper,
) -> Softmax:
    """The emergency head: "emergency or not" on emergency_features."""
    is_emergency = np.isin(y, EMERGENCY_COLUMNS).astype(int)
    features = emergency_features(*base, stacked)
    return fit(features, is_emergency, 2, l2=hyper.head_l2, steps=hyper.stack_steps)


def emergency_out_of_fold(
    base: tuple[np.ndarray, np.ndarray, np.ndarray],
    stacked_proba: np.ndarray,
    v: Views,
    parts: Sequence[np.ndarray],
    hyper: Hyper,
) -> np.ndarray:
    """The emergency score of every example (learned.emergency_score) from a head that
    did not see it; `stacked_proba`: the stacker's out-of-fold probabilities."""
    stacked = stack_features(*base, v.lexicon)
    out = np.zeros(len(v.y))
    everything = np.arange(len(v.y))
    for held in parts:
        rows = np.setdiff1d(everything, held)
        head = fit_head(tuple(p[rows] for p in base), stacked[rows], v.y[rows], hyper)
        views_held = (p[held] for p in base)
        out[held] = emergency_score(stacked_proba[held], head, *views_held, stacked[held])
    return out


def fit_model(
    v: Views,
    base_out_of_fold: tuple[np.ndarray, np.ndarray, np.ndarray],
    hyper: Hyper,
    thresholds: Thresholds,
    corpus_digest: str,
) -> IntentModel:
    """The shipped model: base models on everything, the stacker and the emergency head
    on out-of-fold rows."""
    everything = np.arange(len(v.y))
    base = fit_base(v, everything, hyper)
    stacked = stack_features(*base_out_of_fold, v.lexicon)
    stacker = fit_stacker(stacked, v.y, hyper)
    head = fit_head(base_out_of_fold, stacked, v.y, hyper)
    return IntentModel(
        labels=LABELS,
        e5_mean=base.mean,
        e5_scale=base.scale,
        e5=base.e5,
        ngram=base.ngram,
        neighbours=base.neighbours,
        stacker=stacker,
        thresholds=thresholds,
        corpus_digest=corpus_digest,
        emergency_head=head,
    )


_JUNK_ALPHABETS = (
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm0123456789",
    "абвгдежзийклмнопрстуфхцчшщыэюя",
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
)


def junk(n: int = 240, seed: int = 7) -> list[Example]:
    """Synthetic keyboard mashes and nonsense labelled `other`: without them a classifier
    spreads nonsense over every label, and the emergencies' share looks borderline.
    Used for fitting only, never in the cross-validated figures."""
    rng = np.random.default_rng(seed)
    found = []
    for i in range(n):
        alphabet = _JUNK_ALPHABETS[i % len(_JUNK_ALPHABETS)]
        words = [
            "".join(rng.choice(list(alphabet), size=int(rng.integers(2, 8))))
            for _ in range(int(rng.integers(1, 5)))
        ]
        found.append(Example("en", "other", " ".join(words)))
    return found
