"""Plain links in a web chat message: phone numbers to call, addresses to open in a map.

The engine's text stays plain (Telegram shows it as is). The web chat sends, next to the
text, the same text cut into parts, some with a link the page renders as an `<a>` (never
as HTML): `tel:` for a French phone number or a number on a 📞 line, an OpenStreetMap
search for an address (an isolated address with a postcode, or the address of a 📍 line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

MAP_SEARCH: Final = "https://www.openstreetmap.org/search?query="
# 04 73 42 17 57, 04.73.42.17.57, 0473421757, +33 4 73 42 17 57.
FRENCH_PHONE: Final = re.compile(r"(?<![\d+])(?:\+33 ?|0)[1-9](?:[ .]?\d{2}){4}(?!\d)")
# Short numbers (115, 3114) only where a line says it is a number to call.
CALL_LINE: Final = re.compile(r"^📞 \u2068?(\d{2,4})(?![\d.]|\s\d)", re.MULTILINE)
# The engine wraps addresses, times and numbers in Unicode isolates (FSI … PDI).
ISOLATED: Final = re.compile(r"\u2068([^\u2068\u2069\n]+)\u2069")
POSTCODE: Final = re.compile(r"\b\d{5}\b")
PLACE_LINE: Final = re.compile(r"^📍 [^\n]*?: ([^\n\u2068\u2069]+)$", re.MULTILINE)


@dataclass(frozen=True)
class TextPart:
    text: str
    href: str | None = None


def _phone_href(number: str) -> str:
    digits = re.sub(r"[^\d+]", "", number)
    return f"tel:{digits}"


def _map_href(address: str) -> str:
    return MAP_SEARCH + quote(" ".join(address.split()), safe="")


def _spans(text: str) -> list[tuple[int, int, str]]:
    spans = [(m.start(), m.end(), _phone_href(m.group())) for m in FRENCH_PHONE.finditer(text)]
    spans += [(m.start(1), m.end(1), _phone_href(m.group(1))) for m in CALL_LINE.finditer(text)]
    for match in ISOLATED.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        address = match.group(1)
        on_place_line = text.startswith("📍", line_start)
        if (POSTCODE.search(address) or on_place_line) and not FRENCH_PHONE.search(address):
            spans.append((match.start(1), match.end(1), _map_href(address)))
    spans += [(m.start(1), m.end(1), _map_href(m.group(1))) for m in PLACE_LINE.finditer(text)]
    return sorted(spans, key=lambda span: (span[0], -span[1]))  # the longest first


def text_parts(text: str) -> list[TextPart]:
    """`text` cut into plain and linked parts; empty when it holds nothing to link."""
    parts: list[TextPart] = []
    at = 0
    for start, end, href in _spans(text):
        if start < at:  # overlaps a link already taken
            continue
        if start > at:
            parts.append(TextPart(text[at:start]))
        parts.append(TextPart(text[start:end], href))
        at = end
    if not parts:
        return []
    if at < len(text):
        parts.append(TextPart(text[at:]))
    return parts
