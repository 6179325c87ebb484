"""What staff write, made safe at the edge: the request models' text types.

Staff text reaches the young people (replies, bus stops and their places) and other
conseillers (notes, token names in the inbox header): like what a person types, it loses
control characters, lone surrogates and the bidi embeddings, overrides and isolates that
could disguise it (`conversations.text_hygiene.clean_text`, "Trojan source"). Relais adds
its own isolates around phone numbers afterwards. A name or a reason is one line.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from conversations.text_hygiene import clean_text


def _line(value: str) -> str:
    return " ".join(clean_text(value).replace("\t", " ").split("\n"))


def _present(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty (control and bidi characters are removed)")
    return value


# Multi-line text (notes, replies), and one-line text (names, addresses, reasons).
StaffText = Annotated[str, AfterValidator(clean_text)]
StaffLine = Annotated[str, AfterValidator(_line)]
# The same, refused when nothing is left once cleaned.
RequiredText = Annotated[StaffText, AfterValidator(_present)]
RequiredLine = Annotated[StaffLine, AfterValidator(_present)]
