"""Gettext catalogs for the languages shipped in locales/.

Catalogs are read from the `.po` files with Babel and compiled in memory, so a fresh
checkout runs without a compile step; `pybabel compile` still works for packagers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import yaml
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES_DIR: Final = Path(__file__).resolve().parent.parent / "locales"
DOMAIN: Final = "relais"
DEFAULT_LANGUAGE: Final = "fr"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    direction: str
    # The espeak-ng voice that reads this language aloud, chosen by measurement
    # (docs/voice.md); None when no voice reads it well enough.
    voice: str | None = None


@dataclass(frozen=True)
class PageStrings:
    """A web page's own sentences in one language, with the shipped languages."""

    lang: str
    direction: str
    languages: tuple[Language, ...]
    strings: dict[str, str]


def load_languages(locales_dir: Path = LOCALES_DIR) -> tuple[Language, ...]:
    rows = yaml.safe_load((locales_dir / "languages.yaml").read_text(encoding="utf-8"))
    return tuple(
        Language(r["code"], r["name"], r.get("direction", "ltr"), r.get("voice")) for r in rows
    )


def _compile(po_path: Path) -> Translations:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=po_path.parent.parent.name)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


# What an unknown language gets: the msgid itself (built once, not at every call).
_UNTRANSLATED: Final = NullTranslations()


class Catalogs:
    """The translations of every shipped language, loaded once at start-up."""

    def __init__(self, locales_dir: Path = LOCALES_DIR) -> None:
        self.languages = load_languages(locales_dir)
        self._translations: dict[str, NullTranslations] = {}
        for language in self.languages:
            po_path = locales_dir / language.code / "LC_MESSAGES" / f"{DOMAIN}.po"
            self._translations[language.code] = _compile(po_path)
        self.codes = tuple(lang.code for lang in self.languages)

    def supports(self, code: str | None) -> bool:
        return code in self._translations

    def pick(self, hint: str | None) -> str | None:
        """Map a channel hint such as 'en-GB' or 'fr' to a shipped language."""
        if not hint:
            return None
        normalized = hint.replace("-", "_")
        for candidate in (normalized, normalized.split("_")[0].lower()):
            if candidate in self._translations:
                return candidate
        return None

    def gettext(self, lang: str, message: str) -> str:
        return self._translations.get(lang, _UNTRANSLATED).gettext(message)

    def ngettext(self, lang: str, singular: str, plural: str, n: int) -> str:
        return self._translations.get(lang, _UNTRANSLATED).ngettext(singular, plural, n)

    def direction(self, lang: str) -> str:
        return next((x.direction for x in self.languages if x.code == lang), "ltr")

    def voice(self, lang: str) -> str | None:
        """The speech voice of `lang` (locales/languages.yaml), or None if it has none."""
        return next((x.voice for x in self.languages if x.code == lang), None)

    def texts(self, lang: str) -> frozenset[str]:
        """Every sentence of `lang`'s catalog, as translated (the speech cache keeps only
        audio of these: they never hold anything about a person)."""
        translations = self._translations.get(lang)
        found = getattr(translations, "_catalog", {})
        return frozenset(text for text in found.values() if isinstance(text, str) and text)

    def page_strings(self, lang: str, msgids: dict[str, str]) -> PageStrings:
        """The sentences of a web page (key -> msgid) translated into `lang`."""
        return PageStrings(
            lang=lang,
            direction=self.direction(lang),
            languages=self.languages,
            strings={key: self.gettext(lang, msgid) for key, msgid in msgids.items()},
        )
