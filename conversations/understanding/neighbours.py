"""The nearest training messages of a message: a third view for the stacker (run 9).

A message's e5 embedding is compared (cosine) with the embeddings of the training corpus;
the labels of its `k` nearest messages vote, each weighted by exp((similarity - best) /
tau), so the closest few decide and a crowd of far ones cannot. Where the network over
e5 (mlp.py) draws smooth boundaries, this view keeps the corpus's particular cases: a
paraphrase close to one written example ("encore une nuit dans la voiture") counts even
when the network has averaged it away. The stacker learns how far to trust it.

The corpus's embeddings ship in data/model/intent.npz as int8 with one scale per row
(3 MB instead of 12 MB in float32); training uses the same rounded vectors, so the
cross-validated figures are those of the shipped view. k and tau were chosen by
cross-validation on the training corpus (docs/understanding.md, test runs, 9).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

K: Final = 30
TAU: Final = 0.02
# Part of the probability spread evenly over the labels: a vote of 30 neighbours is never
# certain, and the stacker reads logs.
SMOOTHING: Final = 0.1


def quantised(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int8 rows, float32 scale per row) of float rows."""
    scale = np.maximum(np.abs(vectors).max(axis=1), 1e-12) / 127.0
    rows = np.clip(np.rint(vectors / scale[:, None]), -127, 127).astype(np.int8)
    return rows, scale.astype(np.float32)


def unit_rows(rows: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The float32 unit vectors of quantised rows."""
    vectors = rows.astype(np.float32) * scale[:, None]
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


@dataclass(frozen=True)
class Neighbours:
    rows: np.ndarray  # (n, DIM) int8
    scale: np.ndarray  # (n,) float32
    labels: np.ndarray  # (n,) label indices
    n_labels: int
    k: int = K
    tau: float = TAU

    def __post_init__(self) -> None:
        object.__setattr__(self, "_vectors", unit_rows(self.rows, self.scale))

    @classmethod
    def of(cls, vectors: np.ndarray, labels: np.ndarray, n_labels: int) -> Neighbours:
        rows, scale = quantised(vectors)
        return cls(rows, scale, np.asarray(labels, np.int16), n_labels)

    def proba(self, queries: np.ndarray) -> np.ndarray:
        """(m, n_labels) vote shares of the nearest messages of each query (unit rows)."""
        vectors: np.ndarray = self._vectors  # type: ignore[attr-defined]
        similarity = queries.astype(np.float32) @ vectors.T
        k = min(self.k, similarity.shape[1])
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        close = np.take_along_axis(similarity, nearest, axis=1)
        weights = np.exp((close - close.max(axis=1, keepdims=True)) / self.tau)
        votes = np.zeros((len(queries), self.n_labels))
        np.add.at(votes, (np.arange(len(queries))[:, None], self.labels[nearest]), weights)
        votes /= votes.sum(axis=1, keepdims=True)
        return (1 - SMOOTHING) * votes + SMOOTHING / self.n_labels
