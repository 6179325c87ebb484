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
    starts = [b for label, b in labels if label.startswith(said) and len(said) >= 3]
    if len(starts) == 1:
        return starts[0]
    contained = [b for label, b in labels if len(said) >= 4 and said in label.split(" ", 3)[0:3]]
    if len(contained) == 1:
        return contained[0]
    words = [b for label, b in labels if len(said) >= 3 and said in label.split()]
    if len(words) == 1:
        return words[0]
    scored = [(fuzz.ratio(said, label) / 100, b) for label, b in labels]
    scored.sort(key=lambda pair: pair[0], reverse=True)
    if scored and scored[0][0] >= CLOSE_ENOUGH:
        if len(scored) == 1 or scored[1][0] < scored[0][0]:
            return scored[0][1]
    return None
