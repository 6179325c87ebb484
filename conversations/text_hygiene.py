"""Typed text made safe to store and show: no control, bidi-override or surrogate characters.

Used by the runtime for every channel (what a person types) and by the admin API for what
staff write (replies, names, openings), so neither can disguise text ("Trojan source").
"""

from __future__ import annotations

import unicodedata
from typing import Final

# Bidi embeddings, overrides and isolates ("Trojan source"), and other invisible format
# characters that only serve to disguise text. LRM/RLM/ALM, ZWJ and ZWNJ stay: Arabic,
# Persian and emoji need them.
_STRIPPED_FORMAT: Final = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u206a\u206b\u206c\u206d\u206e\u206f\ufeff\ufff9\ufffa\ufffb"
)
_KEPT_CONTROLS: Final = frozenset("\n\t")


def clean_text(text: str) -> str:
    """Typed text without control, bidi-override or surrogate characters.

    Line breaks of every kind become "\\n"; tabs stay; nothing else is changed (no
    normalisation, no trimming), so the person's words reach the engine as written.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\x85", "\n")
    kept = []
    for char in text:
        if char in _KEPT_CONTROLS:
            kept.append(char)
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cs") or char in _STRIPPED_FORMAT:
            continue
        kept.append(char)
    return "".join(kept)
