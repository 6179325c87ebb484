"""Free text at a choice step: find the button the person meant, or admit we did not.

Tolerant to case, accents, emoji and small typos; a number picks the n-th button.
Routing never depends on the label itself: a match returns the choice's payload.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from conversations.directory import normalize
from conversations.model import Button

CLOSE_ENOUGH = 0.8


def match_button(text: str, buttons: Sequence[Button]) -> Button | None:
    said = normalize(text)
    if not said:
        return None
    if said.isdigit():
        index = int(said) - 1
        return buttons[index] if 0 <= index < len(buttons) else None
    labels = [(normalize(b.label), b) for b in buttons]
    for label, button in labels:
        if said == label:
            return button
    starts = _one([b for label, b in labels if label.startswith(said) and len(said) >= 3])
    if starts is not None:
        return starts
    contained = _one(
        [b for label, b in labels if len(said) >= 4 and said in label.split(" ", 3)[0:3]]
    )
    if contained is not None:
        return contained
    words = _one([b for label, b in labels if len(said) >= 3 and said in label.split()])
    if words is not None:
        return words
    best: dict[str, tuple[float, Button]] = {}
    for label, button in labels:  # a payload's best label (one may be shown in two languages)
        score = fuzz.ratio(said, label) / 100
        if score > best.get(button.payload, (-1.0, button))[0]:
            best[button.payload] = (score, button)
    scored = sorted(best.values(), key=lambda pair: pair[0], reverse=True)
    if scored and scored[0][0] >= CLOSE_ENOUGH:
        if len(scored) == 1 or scored[1][0] < scored[0][0]:
            return scored[0][1]
    return None


def _one(found: list[Button]) -> Button | None:
    """The button when all the candidates press the same one, else None."""
    return found[0] if found and len({b.payload for b in found}) == 1 else None
