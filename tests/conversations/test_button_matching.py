"""Free text at a choice step: which button did the person mean?"""

from __future__ import annotations

import pytest

from conversations.button_matching import match_button
from conversations.model import Button

MENU = [
    Button("🏠 Housing", "menu.main.housing"),
    Button("💼 Work and CEJ", "menu.main.cej"),
    Button("💶 Money and aid", "menu.main.aid"),
    Button("📞 Numéros d'urgence", "info.menu.numbers"),
]


def _payload(text: str, buttons: list[Button] = MENU) -> str | None:
    button = match_button(text, buttons)
    return button.payload if button else None


@pytest.mark.parametrize(
    ("text", "payload"),
    [
        ("Money and aid", "menu.main.aid"),  # exact label (emoji ignored)
        ("🏠 Housing", "menu.main.housing"),
        ("2", "menu.main.cej"),  # number = n-th button
        (" 4 ", "info.menu.numbers"),
        ("HOUSING", "menu.main.housing"),  # case
        ("numeros d urgence", "info.menu.numbers"),  # accents and apostrophe
        ("NUMÉROS D'URGENCE!", "info.menu.numbers"),
        ("hous", "menu.main.housing"),  # prefix
        ("mon", "menu.main.aid"),
        ("cej", "menu.main.cej"),  # a word of the label
        ("housng", "menu.main.housing"),  # small typo
        ("Mony and aid", "menu.main.aid"),
    ],
)
def test_match(text: str, payload: str) -> None:
    assert _payload(text) == payload


@pytest.mark.parametrize("text", ["", "   ", "?!", "0", "5", "99", "ho", "pizza tonight"])
def test_no_match(text: str) -> None:
    assert _payload(text) is None


def test_ambiguous_text_matches_nothing() -> None:
    buttons = [Button("Yes, contact me", "a"), Button("Yes, I agree", "b")]
    assert _payload("yes", buttons) is None
    assert _payload("yes contact", buttons) == "a"


def test_ambiguous_prefix_matches_nothing() -> None:
    buttons = [Button("Transport", "t"), Button("Training", "r")]
    assert _payload("tra", buttons) is None
    assert _payload("tran", buttons) == "t"


def test_equally_close_typos_match_nothing() -> None:
    buttons = [Button("abcdefgh", "a"), Button("abcdefgi", "b")]
    assert _payload("abcdefgk", buttons) is None  # both 0.875 alike
    assert _payload("abcdefgh", buttons) == "a"


def test_one_button_shown_in_two_languages_is_still_one_match() -> None:
    # The navigation buttons are matched in the person's language and in English: a
    # label that is the same in both ("Menu") must not look like two different buttons.
    twice = [
        Button("🏠 Menu", "nav.menu"),
        Button("✋ Arrêter", "nav.stop"),
        Button("🏠 Menu", "nav.menu"),
        Button("✋ Stop", "nav.stop"),
    ]
    assert _payload("men", twice) == "nav.menu"  # a start of both labels
    assert _payload("menuu", twice) == "nav.menu"  # a typo of both
    assert _payload("stop", twice) == "nav.stop"
    assert _payload("arret", twice) == "nav.stop"
