"""Curated cues per language and category, read from data/lexicon/<language>.yaml.

A file maps categories (the intents, plus `medical`, `not_emergency` and `markers`) to
cues. A cue is a few words that must appear in this order, with at most MAX_GAP other
words between two of them. A word is folded like the messages (see text.fold) and may be:

    logement        the word, or a one-letter typo of it when it has 5 letters or more
    appart*         a word starting with "appart" (a typo allowed from 5 letters on)
    *argent         a word ending with "argent" ("dargent", "largent"); quote a cue
                    that starts with * in YAML: - "*argent"
    *سکن*           a word containing "سکن" (Arabic clitics around a stem)
    rue|street      any of these

A trailing " ^0.6" sets the cue's weight (default 1: enough on its own).
`markers` are plain words typical of the language (native or transliterated), used by
language detection only. `not_emergency` cues mask their words from the emergency
categories ("mort de rire", "this film kills me").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import yaml

from conversations.understanding.text import fold

LEXICON_DIR: Final = Path(__file__).resolve().parent / "data" / "lexicon"
MAX_GAP: Final = 2
MARKERS: Final = "markers"
NOT_EMERGENCY: Final = "not_emergency"
MEDICAL: Final = "medical"

Kind = Literal["exact", "prefix", "suffix", "infix"]


@dataclass(frozen=True)
class Atom:
    kind: Kind
    text: str


Word = tuple[Atom, ...]  # alternatives


@dataclass(frozen=True)
class Cue:
    category: str
    language: str
    words: tuple[Word, ...]
    weight: float
    source: str


def parse_word(raw: str) -> Word:
    atoms = []
    for alternative in raw.split("|"):
        starts, ends = alternative.startswith("*"), alternative.endswith("*")
        text = fold(alternative.strip("*"))
        if not text or " " in text:
            raise ValueError(f"bad cue word {raw!r}")
        kind: Kind = (
            "infix" if starts and ends else "suffix" if starts else "prefix" if ends else "exact"
        )
        atoms.append(Atom(kind, text))
    return tuple(atoms)


def parse_cue(category: str, language: str, raw: str) -> Cue:
    text, _, weight = raw.partition(" ^")
    words = tuple(parse_word(word) for word in text.split())
    if not words:
        raise ValueError(f"empty cue in {language}/{category}")
    return Cue(category, language, words, float(weight) if weight else 1.0, raw)


@dataclass(frozen=True)
class Lexicon:
    cues: tuple[Cue, ...]
    markers: Mapping[str, frozenset[str]]  # language -> folded words

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.markers)


def _entries(path: Path) -> Iterator[tuple[str, list[str]]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping of categories")
    for category, entries in raw.items():
        # Numbers such as 115 are cues too; YAML booleans (a bare no/yes) are mistakes.
        if not isinstance(entries, list) or not all(
            isinstance(e, str | int) and not isinstance(e, bool) for e in entries
        ):
            raise ValueError(f"{path}: {category} must be a list of strings")
        yield str(category), [str(e) for e in entries]


def load_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    """Read every <language>.yaml of the directory (once, at start-up)."""
    cues: list[Cue] = []
    markers: dict[str, frozenset[str]] = {}
    for path in sorted(directory.glob("*.yaml")):
        language = path.stem
        markers[language] = frozenset()
        for category, entries in _entries(path):
            if category == MARKERS:
                markers[language] = frozenset(w for e in entries for w in fold(e).split())
            else:
                cues.extend(parse_cue(category, language, entry) for entry in entries)
    return Lexicon(tuple(cues), markers)
