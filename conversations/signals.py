"""Emergency detection in free text: the safety net that runs before any matching.

Two sources, both tried on every message whatever its language, since people mix
languages: the regular expressions of data/signals.yaml (French and English), and the
emergency cues of the ten languages' lexicons (conversations.understanding), which
tolerate typos, SMS spelling and transliteration and ignore idioms such as "mort de
rire". A minor reporting violence also raises `minor_in_danger`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import yaml

from conversations.directory import normalize
from conversations.understanding import Understander

SIGNALS_FILE: Final = Path(__file__).resolve().parent / "data" / "signals.yaml"
MINOR_BANDS: Final = frozenset({"u16", "16_17"})


class SignalDetector:
    def __init__(self, path: Path = SIGNALS_FILE, understander: Understander | None = None) -> None:
        raw: dict[str, dict[str, list[str]]] = yaml.safe_load(path.read_text(encoding="utf-8"))
        self._patterns = {
            signal: [re.compile(p) for patterns in by_lang.values() for p in patterns]
            for signal, by_lang in raw.items()
        }
        self._understander = understander or Understander(with_language=False)

    @property
    def signals(self) -> tuple[str, ...]:
        return tuple(self._patterns)

    def detect(self, text: str, age_band: str | None = None) -> tuple[str, ...]:
        clean = normalize(text)
        found = [s for s, pats in self._patterns.items() if any(p.search(clean) for p in pats)]
        found += [s for s in self._understander.signals(text) if s not in found]
        found.sort(key=lambda signal: self.signals.index(signal))
        return self.for_age(tuple(found), age_band)

    @staticmethod
    def for_age(signals: tuple[str, ...], age_band: str | None) -> tuple[str, ...]:
        """A minor reporting violence is also a minor in danger (119)."""
        if "violence_against_women" in signals and age_band in MINOR_BANDS:
            if "minor_in_danger" not in signals:
                return (*signals, "minor_in_danger")
        return signals
