"""Dates, times and amounts in the person's locale (Babel), in the deployment's zone."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_day_names
from babel.numbers import format_currency


def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("fr")


@cache
def _day_pattern(lang: str) -> str:
    """The locale's full date pattern without the year ('EEEE d MMMM y' -> 'EEEE d MMMM')."""
    full = _locale(lang).date_formats["full"].pattern
    return re.sub(r"\s*[,،]?\s*(د\s*)?y+(\s*'[^']*')?\.?", "", full).strip(" ,،")


def day(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    """'mercredi 3 décembre' / 'Wednesday, December 3', in the deployment's zone."""
    return format_date(moment.astimezone(tz).date(), _day_pattern(lang), locale=_locale(lang))


def clock(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    return format_time(moment.astimezone(tz), "HH:mm", locale=_locale(lang))


def money(amount: float, lang: str) -> str:
    return format_currency(amount, "EUR", locale=_locale(lang))


def weekday_name(index: int, lang: str) -> str:
    return get_day_names("wide", locale=_locale(lang))[index]
