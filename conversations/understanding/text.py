"""Text folding shared by the lexicons and the messages: one key for every spelling.

`fold` lower-cases, removes accents (Latin, Cyrillic) and Arabic vowel marks, unifies
letters that keyboards swap (Arabic/Persian yeh and kaf, Pashto letters typed on a
Persian keyboard, Turkish dotless i, Ethiopic h/s/ts series), turns digits of every
script into 0-9, drops apostrophes ("j'ai" -> "jai", as typed in SMS) and collapses
letters repeated three times or more ("merciii" -> "merci"). Bengali vowel signs are
kept: they are letters there.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_LETTER_MAP: Final = str.maketrans(
    {
        "ı": "i",
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ې": "ی",
        "ۍ": "ی",
        "ك": "ک",
        "ګ": "گ",
        "ة": "ه",
        "ۀ": "ه",
        "ؤ": "و",
        "ٱ": "ا",
        "ړ": "ر",
        "ټ": "ت",
        "ډ": "د",
        "ڼ": "ن",
        "ـ": "",
        "'": "",
        "’": "",
        "ʼ": "",
        "`": "",
        "´": "",
    }
)
_DIGITS: Final = str.maketrans(
    {
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        **{chr(0x09E6 + i): str(i) for i in range(10)},
    }
)
_REPEATS: Final = re.compile(r"(\w)\1{2,}")
# Ethiopic series that keyboards and writers swap (h/ḥ/ḫ, s/ś, ṣ/ṡ), folded onto one.
_ETHIOPIC_SERIES: Final = {0x1200: 0x1210, 0x1280: 0x1210, 0x1220: 0x1230, 0x1340: 0x1338}


def _fold_ethiopic(char: str) -> str:
    point = ord(char)
    if char == "አ":
        return "ኣ"
    series = _ETHIOPIC_SERIES.get(point & ~7)
    return chr(series | (point & 7)) if series is not None else char


def _is_bengali(char: str) -> bool:
    return "\u0980" <= char <= "\u09ff"


def fold(text: str) -> str:
    """The matching key of a text: see the module docstring."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTER_MAP))
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category.startswith("M") and not _is_bengali(char):
            continue
        if category == "Cf":
            continue
        if "\u1200" <= char <= "\u137f":
            char = _fold_ethiopic(char)
        kept.append(char if char.isalnum() or category.startswith("M") else " ")
    folded = "".join(kept).translate(_LETTER_MAP).translate(_DIGITS)
    return " ".join(_REPEATS.sub(r"\1", folded).split())


def tokens(text: str) -> tuple[str, ...]:
    """The folded words of a text."""
    return tuple(fold(text).split())


# Unicode blocks of the scripts that tell languages apart.
_SCRIPTS: Final = (
    ("ethiopic", 0x1200, 0x139F),
    ("bengali", 0x0980, 0x09FF),
    ("arabic", 0x0600, 0x06FF),
    ("arabic", 0x0750, 0x077F),
    ("arabic", 0xFB50, 0xFDFF),
    ("arabic", 0xFE70, 0xFEFF),
    ("cyrillic", 0x0400, 0x04FF),
    ("latin", 0x0041, 0x024F),
)


def script_of(char: str) -> str | None:
    """The script of a letter among those above, or None (digits, marks, emoji)."""
    if not char.isalpha():
        return None
    point = ord(char)
    for name, start, end in _SCRIPTS:
        if start <= point <= end:
            return name
    return None


def script_counts(text: str) -> dict[str, int]:
    """How many letters of each script the text has."""
    counts: dict[str, int] = {}
    for char in text:
        script = script_of(char)
        if script is not None:
            counts[script] = counts.get(script, 0) + 1
    return counts
