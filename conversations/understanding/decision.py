"""From probabilities over fine labels (and the rules' verdict) to one decision.

Safety first: a message is an emergency when the model's emergency score (the summed
probability of distress, violence and housing_emergency, averaged with the emergency
head's probability since run 13) reaches the calibrated
threshold, or when the lexicon has a strong emergency cue that the model corroborates
(its score at least borderline): any emergency wins, also when a request comes first
("rdv demain? jveux mourir"). Below that, a score in the borderline band names a
`possible_emergency`: the engine asks one kind safety question. Otherwise the most
probable request wins, and an `about` is given when its fine label holds most of the
intent's probability.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, cast

import numpy as np

from conversations.understanding.model import EMERGENCY_INTENTS, INTENTS, About, Intent

ABOUT_SHARE: Final = 0.5  # an about label must hold this share of its intent's probability


@dataclass(frozen=True)
class Decision:
    intent: Intent
    confidence: float
    about: About | None
    emergency_score: float
    possible_emergency: Intent | None


@dataclass(frozen=True)
class Policy:
    emergency: float  # model emergency score at or above which a message is an emergency
    borderline: float  # ... at or above which the safety question is asked
    rule: float  # lexicon emergency score at or above which the rules decide, if corroborated


def intent_proba(proba: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """Probabilities summed per intent (INTENTS order), for rows or one row."""
    columns = np.array([INTENTS.index(label.partition("/")[0]) for label in labels])
    summed = np.zeros((*proba.shape[:-1], len(INTENTS)))
    for j, column in enumerate(columns):
        summed[..., column] += proba[..., j]
    return summed


_EMERGENCY_COLUMNS: Final = [INTENTS.index(i) for i in EMERGENCY_INTENTS]
_REQUEST_COLUMNS: Final = [j for j, i in enumerate(INTENTS) if i not in EMERGENCY_INTENTS]


def decide(
    proba: np.ndarray,
    labels: Sequence[str],
    policy: Policy,
    rule: tuple[Intent, float] | None = None,
    rule_alone: bool = False,
    score: float | None = None,
) -> Decision:
    """`proba`: one row over `labels`; `rule`: the lexicon's strongest emergency and score;
    `rule_alone`: a strong cue needs no corroboration (a long message, far from the
    phone-length messages the model learnt from); `score`: the model's emergency score
    (learned.emergency_score), else the summed emergency probability of `proba`."""
    per_intent = intent_proba(proba, labels)
    emergency = per_intent[_EMERGENCY_COLUMNS]
    score = float(emergency.sum()) if score is None else score
    model_emergency = EMERGENCY_INTENTS[int(emergency.argmax())]
    if rule is not None and rule[1] >= policy.rule and (rule_alone or score >= policy.borderline):
        shown = max(score, rule[1])
        return Decision(rule[0], round(shown, 3), None, round(shown, 3), None)
    if score >= policy.emergency:
        confidence = max(float(emergency.max()), score / 2)
        return Decision(model_emergency, round(confidence, 3), None, round(score, 3), None)
    best = _REQUEST_COLUMNS[int(per_intent[_REQUEST_COLUMNS].argmax())]
    intent = cast(Intent, INTENTS[best])
    possible = model_emergency if score >= policy.borderline else None
    return Decision(
        intent,
        round(float(per_intent[best]), 3),
        _about(proba, labels, intent, float(per_intent[best])),
        round(score, 3),
        possible,
    )


def _about(proba: np.ndarray, labels: Sequence[str], intent: str, total: float) -> About | None:
    best, share = None, 0.0
    for j, label in enumerate(labels):
        head, _, about = label.partition("/")
        if head == intent and about and proba[j] > share:
            best, share = about, float(proba[j])
    if best is None or total <= 0 or share / total < ABOUT_SHARE:
        return None
    return cast(About, best)
