"""The e5 view's network: it learns what a linear classifier cannot, deterministically."""

from __future__ import annotations

import numpy as np

from conversations.understanding.linear import fit
from conversations.understanding.mlp import fit_mlp


def _xor(n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    x = rng.uniform(-1.0, 1.0, (n, 2))
    return x, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(int)


def test_the_hidden_layer_separates_what_a_line_cannot() -> None:
    x, y = _xor()
    network = fit_mlp(x, y, 2, hidden=32, l2=1e-4, steps=600, rate=2e-2)
    linear = fit(x, y, 2, l2=1e-4, steps=600, rate=2e-2)
    assert (network.proba(x).argmax(axis=1) == y).mean() > 0.9
    assert (linear.proba(x).argmax(axis=1) == y).mean() < 0.7


def test_probabilities_are_rows_that_sum_to_one_and_fits_repeat() -> None:
    x, y = _xor(100)
    first = fit_mlp(x, y, 2, hidden=8, l2=1e-3, steps=50, rate=1e-2)
    again = fit_mlp(x, y, 2, hidden=8, l2=1e-3, steps=50, rate=1e-2)
    proba = first.proba(x)
    assert proba.shape == (100, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(first.weights, again.weights)
