"""What is read aloud for one bot message: its text, then its buttons' labels.

Pictograms, bidi isolates and other marks a voice would spell out are dropped; bullets
become pauses. A message too long to be listened to is cut at a sentence end.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, Final

MAX_SPOKEN: Final = 1500
_PAUSES: Final = str.maketrans({"•": ",", "·": ",", "—": ",", "–": ",", "|": ","})
_SPACES: Final = re.compile(r"[ \t\u00a0]+")
_ENDS: Final = ".!?…։।۔؟።"


def clean(text: str) -> str:
    """The text without pictograms (emoji, arrows), format marks (bidi isolates,
    joiners) or variation selectors; bullets and dashes become pauses."""
    kept = []
    text = text.translate(_PAUSES)
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if category in ("So", "Cf", "Co", "Cs", "Cn") or "\ufe00" <= char <= "\ufe0f":
            continue
        if text[index + 1 : index + 2] == "\ufe0f":
            continue  # shown as a pictogram (ℹ️ is a letter without its selector)
        kept.append(char)
    lines = (_SPACES.sub(" ", line).strip(" ,") for line in "".join(kept).splitlines())
    return "\n".join(line for line in lines if line)


def _sentence(line: str) -> str:
    return line if line[-1] in _ENDS or line[-1] in ":;,?" else f"{line}."


def utterance(text: str, labels: Sequence[str] = ()) -> str:
    """The words to say: the message, then each button as its own short sentence."""
    parts = [_sentence(line) for line in clean(text).splitlines()]
    parts += [_sentence(label) for label in (clean(x) for x in labels) if label]
    spoken = "\n".join(parts)
    if len(spoken) <= MAX_SPOKEN:
        return spoken
    cut = spoken[:MAX_SPOKEN]
    end = max(cut.rfind(mark) for mark in _ENDS)
    return cut[: end + 1] if end > MAX_SPOKEN // 2 else cut


def labels_of(buttons: Iterable[dict[str, Any]]) -> list[str]:
    """The labels read after a message: its own choices. The navigation buttons (back,
    menu, a person, danger…) are the same on every step and carry a pictogram; reading
    them each time would double every message."""
    return [
        str(b.get("label", "")) for b in buttons if not str(b.get("payload", "")).startswith("nav.")
    ]


def public(pieces: Iterable[str], known: frozenset[str]) -> bool:
    """Whether every piece is, word for word, a sentence of the catalogs (or another
    shipped text such as a language's name): such audio holds nothing about a person
    and may be cached. Anything else (an answer echoed back, an adviser's message, a
    date, an address) is made for this request and forgotten."""
    return all(piece in known for piece in pieces if piece)
