"""The short profile and the yearly report's questions at the end of a journey
(conversations/flows/_templates.yaml): test drivers answer them "I'd rather not say"
when a test taps a button further on, so journeys tests need not list them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

# Step ids the journeys give these questions (housing, cej, aid).
PROFILE_STEPS: Final = frozenset(
    {
        "ase",
        "young_child",
        "justice",
        "followed",
        "interpreter",
        "gender",
        "neighbourhood",
        "known_to_ml",
    }
)


def rather_not_say(payloads: Iterable[str], wanted: str) -> str | None:
    """The "I'd rather not say" button to tap first when `wanted` is not offered yet
    because a profile question is being asked; None otherwise."""
    offered = list(payloads)
    if any(p == wanted or p.endswith("." + wanted) for p in offered):
        return None
    return next(
        (p for p in offered if p.endswith(".not_said") and p.split(".")[1] in PROFILE_STEPS),
        None,
    )
