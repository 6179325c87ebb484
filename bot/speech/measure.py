"""Measure how well espeak-ng reads each shipped language: `python -m bot.speech.measure`.

Nobody can listen here, so the measure is an objective proxy, word by word over the same
catalog sentences in every language: a word is *read* when espeak-ng phonemises it in the
voice's own language (no switch to another language, as it does for a script it does not
know) and not letter by letter (when it spells a letter it does not know, it says its
name: several times longer than the word). Also: the seconds of speech of the welcome
sentence and how long making them took. Writes docs/voice/measurements.json and a sample
of each candidate (docs/voice/<lang>-<voice>.ogg); prints the table of docs/voice.md.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
import wave
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from bot.speech.engine import Speech, SpeechConfig
from bot.speech.text import clean
from bot.speech.voices import installed_voices
from conversations.i18n import Catalogs
from conversations.turn import NAV_LABELS

DOCS: Final = Path(__file__).resolve().parents[2] / "docs" / "voice"
# The voice tried for each language: its own when espeak-ng has one, else the closest.
CANDIDATES: Final = {
    "fr": "fr-fr", "fr_FALC": "fr-fr", "en": "en-gb", "ar": "ar", "fa_AF": "fa",
    "ps": "fa", "uk": "uk", "ru": "ru", "ti": "am", "bn": "bn", "tr": "tr",
}  # fmt: skip
WELCOME: Final = (
    "Hello, I am Relais! I can help you with housing, work (CEJ), money and appointments. "
    "Which language do you want?"
)
# The sample of each language in docs/voice/ (short: a few seconds, a few kilobytes).
SAMPLE: Final = "I have passed your request to an adviser. They will answer you here."
SENTENCES: Final = (
    WELCOME,
    "What can I help you with?",
    "Goodbye! You can write to me again at any time.",
    "I have passed your request to an adviser. They will answer you here.",
    "No problem: I keep nothing about you. You can still get information: emergency "
    "numbers, the CEJ, addresses and opening hours.",
    *NAV_LABELS.values(),
)
# Accepted when at least this share of the words is read (not spelled, not switched).
READ_ENOUGH: Final = 0.95
SPELLED_RATIO: Final = 4.0
_PUNCTUATION: Final = "\"'.,;:!?()«»“”„…،؛؟።፣፤।—–-"


@dataclass
class Measure:
    lang: str
    voice: str
    installed: bool
    words: int = 0
    read: int = 0
    spelled_examples: tuple[str, ...] = ()
    seconds: float = 0.0
    make_ms: float = 0.0
    sample_bytes: int = 0

    @property
    def read_share(self) -> float:
        return self.read / self.words if self.words else 0.0

    @property
    def accepted(self) -> bool:
        return self.installed and self.read_share >= READ_ENOUGH


def phonemes(voice: str, word: str) -> str:
    done = subprocess.run(
        ["espeak-ng", "-q", "-b", "1", "-v", voice, "--ipa", word],
        capture_output=True, text=True, timeout=10, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def word_is_read(voice: str, word: str) -> bool:
    said = phonemes(voice, word)
    if not said or re.search(r"\([a-z]{2,3}(-[a-z0-9]+)?\)", said):
        return False  # nothing said, or said in another language
    return len(said) <= SPELLED_RATIO * max(len(word), 2)


def script(word: str) -> str:
    """The script of a word's first letter: LATIN, ARABIC, CYRILLIC, ETHIOPIC, BENGALI…"""
    letter = next((c for c in word if c.isalpha()), "")
    return unicodedata.name(letter, "?").split(" ")[0] if letter else "?"


def sample_words(catalogs: Catalogs, lang: str) -> list[str]:
    """The words of the sample sentences in the language's own script (names such as
    "Relais" or "CEJ" in Latin letters inside Arabic text are not the voice's test)."""
    words = [
        word.strip(_PUNCTUATION)
        for sentence in SENTENCES
        for word in clean(catalogs.gettext(lang, sentence)).split()
    ]
    words = [w for w in words if any(c.isalpha() for c in w)]
    main_script = Counter(script(w) for w in words).most_common(1)[0][0]
    return [w for w in words if script(w) == main_script]


def duration(voice: str, text: str) -> float:
    with tempfile.NamedTemporaryFile(suffix=".wav") as out:
        subprocess.run(
            ["espeak-ng", "-b", "1", "-v", voice, "-s", "150", "-w", out.name, text],
            check=True, timeout=30,
        )  # fmt: skip
        with wave.open(out.name) as sound:
            return sound.getnframes() / sound.getframerate()


async def measure(catalogs: Catalogs, lang: str, voice: str, speech: Speech) -> Measure:
    found = Measure(lang, voice, voice in installed_voices())
    if not found.installed:
        return found
    words = sample_words(catalogs, lang)
    spelled = [w for w in words if not word_is_read(voice, w)]
    found.words, found.read = len(words), len(words) - len(spelled)
    found.spelled_examples = tuple(dict.fromkeys(spelled))[:5]
    welcome = catalogs.gettext(lang, WELCOME)
    found.seconds = round(duration(voice, welcome), 2)
    started = time.perf_counter()
    await speech._synthesize(voice, welcome)
    found.make_ms = round((time.perf_counter() - started) * 1000, 1)
    sample = await speech._synthesize(voice, catalogs.gettext(lang, SAMPLE))
    found.sample_bytes = len(sample)
    DOCS.mkdir(parents=True, exist_ok=True)
    (DOCS / f"{lang}-{voice}.ogg").write_bytes(sample)
    return found


def table(measures: list[Measure], catalogs: Catalogs) -> str:
    rows = [
        "| Language | Voice tried | Installed | Words read | Spelled or switched (examples) "
        "| Welcome: seconds of speech | made in ms | Sample (KB) | Chosen voice |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for m in measures:
        chosen = catalogs.voice(m.lang)
        name = f"{m.lang}-{m.voice}.ogg"
        size = f" ({m.sample_bytes / 1024:.0f})"
        sample = f"[{name}](voice/{name}){size}" if m.installed else "—"
        rows.append(
            f"| {m.lang} | {m.voice} | {'yes' if m.installed else 'no'} "
            f"| {m.read}/{m.words} ({m.read_share:.0%}) | {', '.join(m.spelled_examples) or '—'} "
            f"| {m.seconds or '—'} | {m.make_ms or '—'} | {sample} | {chosen or 'no voice'} |"
        )
    return "\n".join(rows)


async def main() -> None:
    catalogs = Catalogs()
    speech = Speech(SpeechConfig(), catalogs)
    measures = [
        await measure(catalogs, lang.code, CANDIDATES.get(lang.code, lang.code), speech)
        for lang in catalogs.languages
    ]
    report = [{**asdict(m), "read_share": round(m.read_share, 3)} for m in measures]
    (DOCS / "measurements.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    sys.stdout.write(table(measures, catalogs) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
