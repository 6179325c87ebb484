"""Hashed character n-grams of a message: the features of the n-gram models.

A message is folded (text.fold, for intents) or only lower-cased (for languages, where
accents and letters such as Pashto's ښ or Ukrainian's ї are the evidence), split into
words, and each word, padded with spaces, gives its character n-grams; whole words are
features too. Each feature is hashed (crc32, stable across processes) into `dim`
buckets; counts are damped (1 + log) and the row is L2-normalised.
"""

from __future__ import annotations

import math
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Final

import numpy as np

from conversations.understanding.text import fold

SIZES: Final = (2, 3, 4, 5)


def light_fold(text: str) -> str:
    """Lower-case, NFC, letters and digits only: keeps what tells languages apart."""
    kept = (c if c.isalnum() or unicodedata.category(c).startswith("M") else " " for c in text)
    return " ".join("".join(kept).split())


def _light(text: str) -> str:
    return light_fold(unicodedata.normalize("NFC", text.casefold()))


NORMALISERS: Final[dict[str, Callable[[str], str]]] = {"fold": fold, "light": _light}


@dataclass(frozen=True)
class NgramFeaturizer:
    dim: int
    normaliser: str = "fold"
    sizes: tuple[int, ...] = SIZES
    max_chars: int = 1000

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(bucket indices, values) of one message, L2-normalised."""
        counts: dict[int, int] = {}
        normalised = NORMALISERS[self.normaliser](text[: self.max_chars])
        for word in normalised.split():
            grams = [f"w {word}"]
            padded = f" {word} "
            for size in self.sizes:
                grams.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
            for gram in grams:
                bucket = zlib.crc32(gram.encode()) % self.dim
                counts[bucket] = counts.get(bucket, 0) + 1
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        indices = np.fromiter(counts, np.int64, len(counts))
        values = np.fromiter((1.0 + math.log(c) for c in counts.values()), np.float32)
        return indices, values / np.float32(np.linalg.norm(values))

    def matrix(self, texts: Sequence[str]) -> Csr:
        rows = [self.row(text) for text in texts]
        lengths = np.array([len(i) for i, _ in rows], np.int64)
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        indices = np.concatenate([i for i, _ in rows]) if rows else np.zeros(0, np.int64)
        data = np.concatenate([v for _, v in rows]) if rows else np.zeros(0, np.float32)
        return Csr(indptr, indices, data, self.dim)


@dataclass(frozen=True)
class Csr:
    """A minimal compressed-sparse-row matrix: what the softmax regression needs."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_cols: int

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.indptr) - 1, self.n_cols

    @cached_property
    def rows(self) -> np.ndarray:
        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    @cached_property
    def _by_column(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(order of the entries by column, rows, data in that order, column starts)."""
        order = np.argsort(self.indices, kind="stable")
        columns = self.indices[order]
        starts = np.flatnonzero(np.r_[True, columns[1:] != columns[:-1]]) if len(order) else order
        return order, self.rows[order], self.data[order], starts

    def take(self, selected: np.ndarray) -> Csr:
        """The selected rows, in that order."""
        parts = [(self.indptr[r], self.indptr[r + 1]) for r in selected]
        lengths = np.array([b - a for a, b in parts], np.int64)
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        indices = np.concatenate([self.indices[a:b] for a, b in parts] or [np.zeros(0, np.int64)])
        data = np.concatenate([self.data[a:b] for a, b in parts] or [np.zeros(0, np.float32)])
        return Csr(indptr, indices, data, self.n_cols)

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """self @ weights, for weights of shape (n_cols, k)."""
        out = np.zeros((self.shape[0], weights.shape[1]), np.float32)
        filled = np.flatnonzero(np.diff(self.indptr))
        if len(filled):
            products = self.data[:, None] * weights[self.indices].astype(np.float32)
            out[filled] = np.add.reduceat(products, self.indptr[filled], axis=0)
        return out

    def tdot(self, gradient: np.ndarray) -> np.ndarray:
        """self.T @ gradient, for gradient of shape (n_rows, k)."""
        order, rows, data, starts = self._by_column
        out = np.zeros((self.n_cols, gradient.shape[1]), np.float32)
        if len(order):
            products = data[:, None] * gradient[rows].astype(np.float32)
            sums = np.add.reduceat(products, starts, axis=0)
            out[self.indices[order][starts]] = sums
        return out
