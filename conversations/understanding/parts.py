"""A message's parts: its sentences, so an emergency told after a request is weighed alone.

"where is the bus this week? my friend is lying here unconscious" read as one text is
mostly a bus question; its second sentence read alone is an emergency. The understander
reads the parts of a message whose whole reading is not an emergency (docs/understanding.md,
run 22). Parts end at sentence ends in the scripts Relais reads and at line breaks; a part
needs a few letters (an emoji or "12" alone is not one), and a long message is read in at
most MAX_PARTS parts, the shortest neighbouring ones joined.
"""

from __future__ import annotations

import re
from typing import Final

# . ! ? and the ellipsis; Arabic question mark; Urdu/Pashto full stop; Bengali danda;
# Ethiopic full stop; line breaks.
_ENDS: Final = re.compile(r"[.!?…؟۔।።]+|\n+")
MIN_LETTERS: Final = 3
MAX_PARTS: Final = 4


def message_parts(text: str) -> list[str]:
    """The parts of `text` worth reading alone (fewer than two: nothing to split)."""
    parts = [part.strip() for part in _ENDS.split(text)]
    parts = [part for part in parts if sum(c.isalpha() for c in part) >= MIN_LETTERS]
    while len(parts) > MAX_PARTS:
        pair = min(range(len(parts) - 1), key=lambda i: len(parts[i]) + len(parts[i + 1]))
        parts[pair : pair + 2] = [f"{parts[pair]} {parts[pair + 1]}"]
    return parts
