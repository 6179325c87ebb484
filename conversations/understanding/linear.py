"""Multinomial logistic regression in numpy: fitted at build time, applied at run time.

`fit` minimises the mean cross-entropy plus an L2 penalty on the weights (not the
biases) by full-batch Adam; the problem is convex and small (a few thousand messages),
so a few hundred steps converge. X is a dense array or an ngrams.Csr matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


class Matrix(Protocol):
    @property
    def shape(self) -> tuple[int, int]: ...


@dataclass(frozen=True)
class Softmax:
    weights: np.ndarray  # (n_features, n_classes)
    bias: np.ndarray  # (n_classes,)

    def logits(self, x: object) -> np.ndarray:
        return _dot(x, self.weights) + self.bias

    def proba(self, x: object) -> np.ndarray:
        return softmax(self.logits(x))


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def _dot(x: object, weights: np.ndarray) -> np.ndarray:
    if isinstance(x, np.ndarray):
        return x @ weights
    return x.dot(weights)  # type: ignore[attr-defined]


def _tdot(x: object, gradient: np.ndarray) -> np.ndarray:
    if isinstance(x, np.ndarray):
        return x.T @ gradient
    return x.tdot(gradient)  # type: ignore[attr-defined]


def fit(
    x: object,
    y: np.ndarray,
    n_classes: int,
    *,
    l2: float,
    steps: int = 300,
    rate: float = 0.05,
    sample_weight: np.ndarray | None = None,
) -> Softmax:
    """Fit weights and biases on rows x (n, d) with integer labels y (n,)."""
    n, d = x.shape  # type: ignore[attr-defined]
    target = np.zeros((n, n_classes))
    target[np.arange(n), y] = 1.0
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64)
    w = w / w.sum()
    params = [np.zeros((d, n_classes)), np.zeros(n_classes)]
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    for step in range(1, steps + 1):
        proba = softmax(_dot(x, params[0]) + params[1])
        error = (proba - target) * w[:, None]
        grads = [_tdot(x, error) + l2 * params[0], error.sum(axis=0)]
        adam_step(params, grads, moments, squares, step, rate)
    return Softmax(params[0].astype(np.float32), params[1].astype(np.float32))


def adam_step(
    params: list[np.ndarray],
    grads: list[np.ndarray],
    moments: list[np.ndarray],
    squares: list[np.ndarray],
    step: int,
    rate: float,
) -> None:
    """One Adam update of every parameter, in place (step counts from 1)."""
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for p, g, m, v in zip(params, grads, moments, squares, strict=True):
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        m_hat = m / (1 - beta1**step)
        v_hat = v / (1 - beta2**step)
        p -= rate * m_hat / (np.sqrt(v_hat) + eps)
