"""The learned model's emergency score: the stacker's share and the emergency head's."""

from __future__ import annotations

import numpy as np

from conversations.understanding.learned import (
    EMERGENCY_COLUMNS,
    default_intent_model,
    emergency_features,
    emergency_score,
    stack_features,
)
from conversations.understanding.linear import Softmax
from conversations.understanding.model import EMERGENCY_INTENTS, INTENTS
from conversations.understanding.understander import Understander

N_LABELS = len(INTENTS) + 2


def rows(*emergency_shares: float) -> np.ndarray:
    """Probability rows whose emergency labels hold the given shares."""
    out = np.full((len(emergency_shares), N_LABELS), 0.0)
    for i, share in enumerate(emergency_shares):
        out[i, EMERGENCY_COLUMNS[0]] = share
        out[i, INTENTS.index("other")] = 1.0 - share
    return out


def test_the_emergency_columns_are_the_emergency_intents() -> None:
    assert [INTENTS[c] for c in EMERGENCY_COLUMNS] == list(EMERGENCY_INTENTS)


def test_the_head_reads_each_views_emergency_share() -> None:
    views = (rows(0.9, 0.0), rows(0.5, 0.0), rows(0.1, 0.0))
    stacked = stack_features(*views, np.zeros((2, 11), np.float32))
    features = emergency_features(*views, stacked)
    assert features.shape == (2, stacked.shape[1] + 9)
    assert np.allclose(features[0, stacked.shape[1] : stacked.shape[1] + 3], [0.9, 0.5, 0.1])


def test_without_a_head_the_score_is_the_summed_emergency_probability() -> None:
    views = (rows(0.2), rows(0.2), rows(0.2))
    stacked = stack_features(*views, np.zeros((1, 11), np.float32))
    proba = rows(0.3)
    assert emergency_score(proba, None, *views, stacked)[0] == 0.3


def test_with_a_head_the_score_is_the_mean_of_both() -> None:
    views = (rows(0.2), rows(0.2), rows(0.2))
    stacked = stack_features(*views, np.zeros((1, 11), np.float32))
    width = emergency_features(*views, stacked).shape[1]
    sure = Softmax(np.zeros((width, 2), np.float32), np.array([-20.0, 20.0], np.float32))
    assert abs(emergency_score(rows(0.3), sure, *views, stacked)[0] - 0.65) < 1e-6


def test_the_shipped_model_decides_on_its_emergency_score() -> None:
    model = default_intent_model()
    assert model is not None and model.emergency_head is not None
    understander = Understander(model=model)
    text = "ya plus rien qui me retient ici"
    scores = understander.rule_scores(text)
    proba, score = model.read(text, scores)
    summed = float(proba[EMERGENCY_COLUMNS].sum())
    assert score != summed  # the head counts
    assert understander.understand(text).emergency_score == round(score, 3)
