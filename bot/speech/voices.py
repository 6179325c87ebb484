"""Which espeak-ng voices are installed, and which one reads each shipped language.

The choice per language is data (`voice:` in locales/languages.yaml), made by measuring
(docs/voice.md, `python -m bot.speech.measure`); here it is only checked against what
this machine has: a voice that is not installed is no voice.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from functools import cache

from conversations.i18n import Catalogs

log = logging.getLogger(__name__)


@cache
def installed_voices(espeak: str = "espeak-ng") -> frozenset[str]:
    """The language names of `espeak-ng --voices` (e.g. `fr-fr`, `ar`, `uk`); empty when
    espeak-ng is missing."""
    binary = shutil.which(espeak)
    if binary is None:
        return frozenset()
    try:
        listing = subprocess.run(
            [binary, "--voices"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("speech: `espeak-ng --voices` failed: %s", exc)
        return frozenset()
    names = set()
    for line in listing.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 2:
            names.add(fields[1])
    return frozenset(names)


def voice_table(catalogs: Catalogs, espeak: str = "espeak-ng") -> dict[str, str]:
    """Language code → installed espeak-ng voice, for the languages that have one."""
    installed = installed_voices(espeak)
    table = {}
    for language in catalogs.languages:
        if language.voice is None:
            continue
        if language.voice in installed:
            table[language.code] = language.voice
        else:
            log.warning("speech: voice %r of %s is not installed", language.voice, language.code)
    return table
