"""Emergency detection in free text: the safety net that runs before any matching.

Patterns live in data/signals.yaml, per signal and language; every language's patterns
are tried, since people mix languages. A minor reporting violence also raises
`minor_in_danger`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import yaml

from conversations.directory import normalize

SIGNALS_FILE: Final = Path(__file__).resolve().parent / "data" / "signals.yaml"
MINOR_BANDS: Final = frozenset({"u16", "16_17"})


class SignalDetector:
    def __init__(self, path: Path = SIGNALS_FILE) -> None:
        raw: dict[str, dict[str, list[str]]] = yaml.safe_load(path.read_text(encoding="utf-8"))
        self._patterns = {
            signal: [re.compile(p) for patterns in by_lang.values() for p in patterns]
            for signal, by_lang in raw.items()
        }

    @property
    def signals(self) -> tuple[str, ...]:
        return tuple(self._patterns)

    def detect(self, text: str, age_band: str | None = None) -> tuple[str, ...]:
        clean = normalize(text)
        found = [s for s, pats in self._patterns.items() if any(p.search(clean) for p in pats)]
        if "violence_against_women" in found and age_band in MINOR_BANDS:
            found.append("minor_in_danger")
        return tuple(found)
