"""Printable QR posters for outreach: one per bus stop, permanence or partner.

A poster carries a QR code opening the web chat with `?source=SOURCE` (and/or the
Telegram bot with `?start=SOURCE`), so the intake records where the person found us, and
one short line in the main languages, translated through the catalogs. It is written as
SVG (vector, for print shops) and PNG (bot/qr_poster_render.py draws both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

import segno

from conversations.i18n import N_, Catalogs

POSTER_LINE: Final = N_("Scan me to chat with Relais in your language: housing, work, money.")
POSTER_LANGUAGES: Final = ("fr", "en", "ar", "uk", "fa_AF")
SOURCE_PATTERN: Final = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
TELEGRAM_START: Final = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
TELEGRAM_BOT: Final = re.compile(r"^[A-Za-z0-9_]{5,32}$")
# A4 at 150 dpi.
WIDTH: Final = 1240
HEIGHT: Final = 1754


@dataclass(frozen=True)
class PosterLine:
    lang: str
    text: str
    direction: str


@dataclass(frozen=True)
class PosterCode:
    url: str
    caption: str
    modules: tuple[tuple[bool, ...], ...]  # dark modules, quiet zone included


@dataclass(frozen=True)
class Poster:
    source: str
    codes: tuple[PosterCode, ...]
    lines: tuple[PosterLine, ...]


def _code(url: str) -> PosterCode:
    qr = segno.make(url, error="m", micro=False)
    modules = tuple(tuple(bool(m) for m in row) for row in qr.matrix_iter(scale=1, border=4))
    caption = url.split("://", 1)[-1]
    return PosterCode(url, caption, modules)


def poster_lines(
    catalogs: Catalogs, languages: tuple[str, ...] = POSTER_LANGUAGES
) -> list[PosterLine]:
    """The poster line in each language that has a translation (English always)."""
    lines: list[PosterLine] = []
    for lang in languages:
        text = catalogs.gettext(lang, POSTER_LINE)
        if (text == POSTER_LINE and lang != "en") or any(line.text == text for line in lines):
            continue  # not translated yet: English is printed once, not five times
        lines.append(PosterLine(lang, text, catalogs.direction(lang)))
    return lines


def build_poster(
    source: str,
    catalogs: Catalogs,
    base_url: str | None = None,
    telegram_bot: str | None = None,
) -> Poster:
    """Check the inputs and compute the codes and lines; raises ValueError on bad input."""
    if not SOURCE_PATTERN.match(source):
        raise ValueError("SOURCE must be 1-64 letters, digits, '.', '_' or '-'")
    codes = []
    if base_url:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("--base-url must start with http:// or https://")
        codes.append(_code(f"{base_url.rstrip('/')}/?source={quote(source)}"))
    if telegram_bot:
        bot = telegram_bot.removeprefix("@")
        if not TELEGRAM_BOT.match(bot):
            raise ValueError("--telegram-bot must be a bot username (5-32 letters, digits, _)")
        if not TELEGRAM_START.match(source):
            raise ValueError("a Telegram start parameter allows only letters, digits, _ and -")
        codes.append(_code(f"https://t.me/{bot}?start={source}"))
    if not codes:
        raise ValueError("give --base-url and/or --telegram-bot")
    return Poster(source, tuple(codes), tuple(poster_lines(catalogs)))


def code_slots(count: int) -> list[tuple[int, int, int]]:
    """(x, y, size) of each code: one large code, or two side by side."""
    if count == 1:
        return [(WIDTH // 2 - 380, 230, 760)]
    return [(70, 330, 520), (WIDTH - 590, 330, 520)]


def text_top(code_count: int) -> int:
    """Where the language lines start, below the codes and their captions."""
    _x, y, size = code_slots(code_count)[0]
    return y + size + 80
