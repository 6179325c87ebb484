"""Finds the lexicon's cues in a message, tolerating typos, SMS elisions and clitics.

Every word of the lexicon is indexed once: exact words (and their one-letter deletions,
for typos), prefixes, suffixes and infixes. A message word is looked up in these indexes
(also without a leading French elision "j", "m", "d"... or Arabic clitic "و", "ال"...),
then only the cues whose first word is present are checked in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from conversations.understanding.fuzzy import deletions, within_one_edit
from conversations.understanding.lexicon import MAX_GAP, Atom, Cue

FUZZY_MIN: Final = 6  # words shorter than this must be spelt exactly
EXACT, VARIANT, INFIX, FUZZY = 1.0, 0.95, 0.9, 0.85
_ELISIONS: Final = ("qu", "j", "m", "t", "l", "d", "s", "n", "c")
_CLITICS: Final = ("وال", "بال", "فال", "لل", "ال", "و", "ب", "ل", "ف", "el", "al", "bel", "bil")


@dataclass(frozen=True)
class Hit:
    cue: Cue
    score: float
    positions: tuple[int, ...]


def _variants(token: str) -> list[tuple[str, float]]:
    found = [(token, EXACT)]
    for prefix in (*_ELISIONS, *_CLITICS):
        rest = token[len(prefix) :]
        if token.startswith(prefix) and len(rest) >= 3:
            found.append((rest, VARIANT))
    return found


class Matcher:
    def __init__(self, cues: Sequence[Cue]) -> None:
        self.cues = tuple(cues)
        self._exact: dict[str, set[Atom]] = defaultdict(set)
        self._exact_deletions: dict[str, set[Atom]] = defaultdict(set)
        self._prefix: dict[str, set[Atom]] = defaultdict(set)
        self._prefix_deletions: dict[str, set[Atom]] = defaultdict(set)
        self._suffix: dict[str, set[Atom]] = defaultdict(set)
        self._infix: dict[str, set[Atom]] = defaultdict(set)
        self._by_atom: dict[Atom, list[Cue]] = defaultdict(list)
        for cue in self.cues:
            for atom in cue.words[0]:
                self._by_atom[atom].append(cue)
            for word in cue.words:
                for atom in word:
                    self._index(atom)
        self.atoms_of = lru_cache(maxsize=8192)(self._atoms_of)

    def _index(self, atom: Atom) -> None:
        text = atom.text
        if atom.kind == "exact":
            self._exact[text].add(atom)
            if len(text) >= FUZZY_MIN:
                for key in {text} | deletions(text):
                    self._exact_deletions[key].add(atom)
        elif atom.kind == "prefix":
            self._prefix[text].add(atom)
            if len(text) >= FUZZY_MIN:
                for key in {text} | deletions(text):
                    self._prefix_deletions[key].add(atom)
        elif atom.kind == "suffix":
            self._suffix[text].add(atom)
        else:
            self._infix[text].add(atom)

    def _atoms_of(self, token: str) -> dict[Atom, float]:
        """The lexicon atoms this message word matches, with a quality in 0..1."""
        found: dict[Atom, float] = {}

        def add(atoms: Iterable[Atom], quality: float) -> None:
            for atom in atoms:
                if found.get(atom, 0.0) < quality:
                    found[atom] = quality

        for variant, quality in _variants(token):
            add(self._exact.get(variant, ()), quality)
            for end in range(1, len(variant) + 1):
                add(self._prefix.get(variant[:end], ()), quality)
            for start in range(len(variant)):
                add(self._suffix.get(variant[start:], ()), quality)
        for start in range(len(token)):
            for end in range(start + 3, len(token) + 1):
                add(self._infix.get(token[start:end], ()), INFIX)
        if len(token) >= FUZZY_MIN - 1:
            for key in {token} | deletions(token):
                add(
                    (
                        a
                        for a in self._exact_deletions.get(key, ())
                        if within_one_edit(a.text, token)
                    ),
                    FUZZY,
                )
            for end in range(FUZZY_MIN - 1, len(token) + 1):
                head = token[:end]
                for key in {head} | deletions(head):
                    candidates = self._prefix_deletions.get(key, ())
                    # The word must be at least as long as the prefix: "nasil" (Turkish
                    # "how") is not a typo of the prefix "nasili".
                    fits = (a for a in candidates if len(head) >= len(a.text))
                    add((a for a in fits if within_one_edit(a.text, head)), FUZZY)
        return found

    def find(self, words: Sequence[str]) -> list[Hit]:
        """Every cue present in the message words, each at its best placement."""
        where: dict[Atom, list[tuple[int, float]]] = defaultdict(list)
        for position, word in enumerate(words):
            for atom, quality in self.atoms_of(word).items():
                where[atom].append((position, quality))
        candidates = {id(cue): cue for atom in where for cue in self._by_atom.get(atom, ())}
        hits = []
        for cue in candidates.values():
            best = _best_sequence(cue, where)
            if best is not None:
                quality, positions = best
                hits.append(Hit(cue, cue.weight * quality, positions))
        return hits


def _places(word: tuple[Atom, ...], where: dict[Atom, list[tuple[int, float]]]) -> dict[int, float]:
    """Positions where one of the word's alternatives matched, with the best quality."""
    found: dict[int, float] = {}
    for atom in word:
        for position, quality in where.get(atom, ()):
            if found.get(position, 0.0) < quality:
                found[position] = quality
    return found


def _best_sequence(
    cue: Cue, where: dict[Atom, list[tuple[int, float]]]
) -> tuple[float, tuple[int, ...]] | None:
    """The best placement of the cue's words in order: (mean quality, positions).

    Consecutive words may be at most MAX_GAP words apart. Dynamic programming over the
    (few) positions where each word matched: linear in the message length.
    """
    best: dict[int, tuple[float, tuple[int, ...]]] = {
        position: (quality, (position,))
        for position, quality in _places(cue.words[0], where).items()
    }
    for word in cue.words[1:]:
        step: dict[int, tuple[float, tuple[int, ...]]] = {}
        for position, quality in _places(word, where).items():
            reachable = [
                best[previous]
                for previous in range(position - MAX_GAP - 1, position)
                if previous in best
            ]
            if reachable:
                total, positions = max(reachable)
                step[position] = (total + quality, (*positions, position))
        if not step:
            return None
        best = step
    total, positions = max(best.values())
    return total / len(cue.words), positions
