"""Phone numbers and addresses as plain links in the web chat, never as HTML."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from bot.webchat.text_links import MAP_SEARCH, TextPart, text_parts
from support.webchat import WebChat


def _links(text: str) -> dict[str, str]:
    return {p.text: p.href for p in text_parts(text) if p.href}


def test_text_without_number_or_address_has_no_parts() -> None:
    assert text_parts("Where do you sleep at the moment?") == []


@pytest.mark.parametrize(
    ("number", "href"),
    [
        ("04 73 42 17 57", "tel:0473421757"),
        ("04.73.42.17.57", "tel:0473421757"),
        ("0473421757", "tel:0473421757"),
        ("+33 4 73 42 17 57", "tel:+33473421757"),
    ],
)
def test_french_phone_numbers_become_tap_to_call(number: str, href: str) -> None:
    assert _links(f"You can also call the Mission Locale: {number}.") == {number: href}


def test_short_numbers_are_links_only_on_a_call_line() -> None:
    assert _links("📞 \u2068115\u2069 — Emergency shelter") == {"115": "tel:115"}
    assert _links("You were born in 2005 and have 115 points.") == {}


def test_card_address_opens_a_map_and_parts_rebuild_the_text() -> None:
    text = (
        "🏢 CCAS\n📍 Lieu Information Senior (CCAS): \u206822 rue Georges-Clemenceau, "
        "Clermont-Ferrand\u2069\n🕒 mardi \u206809:00–12:00\u2069\n📞 \u206804 73 98 07 81\u2069"
    )
    parts = text_parts(text)
    assert "".join(p.text for p in parts) == text
    links = {p.text: p.href or "" for p in parts if p.href}
    address = "22 rue Georges-Clemenceau, Clermont-Ferrand"
    assert unquote(links[address].removeprefix(MAP_SEARCH)) == address
    assert links["04 73 98 07 81"] == "tel:0473980781"
    assert len(links) == 2  # the hours are not a link


def test_an_isolated_address_with_a_postcode_opens_a_map() -> None:
    address = "64 Boulevard Léon Jouhaux, 63100 Clermont-Ferrand"
    text = f"Shall I book Tuesday at Head office (\u2068{address}\u2069)?"
    (href,) = _links(text).values()
    assert href.startswith(MAP_SEARCH) and "63100" in href


def test_markup_in_an_address_stays_text_and_is_escaped_in_the_link() -> None:
    text = '📍 Place: \u2068<img src=x onerror=alert(1)> "63000"\u2069'
    (part,) = [p for p in text_parts(text) if p.href]
    assert part == TextPart('<img src=x onerror=alert(1)> "63000"', part.href)
    assert part.href is not None and not set('<>" ') & set(part.href)


def test_the_page_renders_only_server_links_and_no_html() -> None:
    from pathlib import Path

    import bot.webchat

    script = (Path(bot.webchat.__file__).parent / "static" / "chat.js").read_text()
    assert "innerHTML" not in script
    assert "SAFE_LINK.test(part.href)" in script


async def test_web_chat_sends_the_emergency_number_as_a_tel_link(chat: WebChat) -> None:
    await chat.start(lang="en")
    await chat.say("I have nowhere to sleep tonight, I am in the street")
    links = [p for m in chat.last for p in m["parts"] if p["href"]]
    assert {"text": "115", "href": "tel:115"} in links
    plain = [m for m in chat.last if "📞" not in m["text"]]
    assert all(m["parts"] == [] for m in plain if not any(c.isdigit() for c in m["text"]))
