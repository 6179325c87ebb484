"""conversations/understanding/neighbours.py: the nearest training messages vote."""

from __future__ import annotations

import numpy as np

from conversations.understanding.neighbours import SMOOTHING, Neighbours, quantised, unit_rows


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_int8_rows_keep_the_direction_of_each_vector() -> None:
    vectors = _unit(np.random.default_rng(0).normal(size=(50, 384)))
    rows, scale = quantised(vectors)
    assert rows.dtype == np.int8
    cosines = (unit_rows(rows, scale) * vectors).sum(axis=1)
    assert cosines.min() > 0.999


def test_one_close_message_outvotes_a_crowd_of_far_ones() -> None:
    rng = np.random.default_rng(1)
    query = _unit(rng.normal(size=(1, 384)))
    noise = _unit(rng.normal(size=(40, 384)))
    # One message of label 1 very close to the query (cosine ~0.95); 39 of label 0 at ~0.75.
    near = _unit(query + 0.33 * noise[:1])
    crowd = _unit(query + 0.9 * noise[1:])
    vectors = np.vstack([near, crowd])
    labels = np.array([1] + [0] * 39)
    proba = Neighbours.of(vectors, labels, 3).proba(query)[0]
    assert proba.argmax() == 1
    assert abs(proba.sum() - 1) < 1e-9
    assert proba[2] == SMOOTHING / 3  # no neighbour of label 2: the floor only


def test_each_query_gets_its_own_neighbours() -> None:
    rng = np.random.default_rng(2)
    centres = _unit(rng.normal(size=(3, 384)))
    vectors = np.vstack([_unit(c + 0.2 * rng.normal(size=(20, 384)) / 20) for c in centres])
    labels = np.repeat(np.arange(3), 20)
    proba = Neighbours.of(vectors, labels, 3).proba(centres)
    assert list(proba.argmax(axis=1)) == [0, 1, 2]
    assert np.allclose(proba.sum(axis=1), 1.0)
