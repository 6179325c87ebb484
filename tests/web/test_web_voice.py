"""Listening in the web chat (issue 19), in headless Chromium: an Arabic, a Ukrainian and a
French session each play their replies (the audio element loads, longer than half a
second); "read aloud" plays the next replies by itself and is kept for the session; a
language without a voice says so and offers a person."""

from __future__ import annotations

import math
from typing import Any

import pytest
from playwright.sync_api import expect

from conversations.flows import load_flows
from conversations.i18n import Catalogs
from conversations.voice import NO_VOICE
from support.browser import PHONE, Relais
from support.chat_page import ChatPage
from support.speech import needs_speech

CATALOGS = Catalogs()
pytestmark = needs_speech
CONSENT_TEXT = next(
    step.text for step in load_flows().flows["entry"].steps.values() if step.id == "consent"
)
LOADED = "el => el.readyState >= 1 && el.duration > 0.5 && !el.error"


def _open(browser: Any, relais: Relais) -> tuple[Any, ChatPage, list[Any]]:
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    requests: list[Any] = []
    page.on("request", lambda request: requests.append(request))
    page.goto(relais.base)
    return page, ChatPage(page), requests


@pytest.mark.parametrize("lang", ["ar", "uk", "fr"])
def test_each_reply_plays_in_its_language(browser: Any, relais: Relais, lang: str) -> None:
    page, chat, requests = _open(browser, relais)
    chat.tap(f"entry.language.{lang}")
    chat.tap("agree")
    bubble = chat.last_bot()
    listen = bubble.locator(".listen")
    expect(listen).to_have_attribute("aria-label", CATALOGS.gettext(lang, "Listen to this message"))
    box = listen.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44
    listen.click()
    audio = bubble.locator("audio")
    page.wait_for_function(LOADED, arg=audio.element_handle(), timeout=20_000)
    duration = audio.evaluate("el => el.duration")
    assert 0.5 < duration < math.inf
    assert audio.evaluate("el => el.src").startswith("blob:")

    session = chat.session()
    assert session is not None
    fetched = [r for r in requests if "/webchat/audio/" in r.url]
    assert fetched and all(session["id"] not in r.url for r in fetched)
    assert fetched[-1].headers.get("x-session") == session["id"]
    page.context.close()


def test_read_aloud_plays_each_new_reply_and_is_kept_for_the_session(
    browser: Any, relais: Relais
) -> None:
    page, chat, _ = _open(browser, relais)
    chat.tap("entry.language.uk")
    toggle = page.locator("#read-aloud")
    label = CATALOGS.gettext("uk", "Read every message aloud")
    expect(toggle).to_have_attribute("aria-label", label)
    box = toggle.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    chat.tap("agree")
    audio = chat.last_bot().locator("audio")
    page.wait_for_function(LOADED, arg=audio.element_handle(), timeout=20_000)

    page.reload()
    expect(page.locator("#read-aloud")).to_have_attribute("aria-pressed", "true")
    assert (chat.session() or {}).get("readAloud") is True
    page.locator("#read-aloud").click()
    expect(page.locator("#read-aloud")).to_have_attribute("aria-pressed", "false")
    page.context.close()


def test_a_language_without_a_voice_says_so_and_offers_a_person(
    browser: Any, relais: Relais
) -> None:
    page, chat, _ = _open(browser, relais)
    chat.tap("entry.language.ps")
    assert chat.last_bot().locator(".listen").count() == 0  # the French greeting has one
    page.locator("#read-aloud").click()
    notice = page.locator("#no-voice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(CATALOGS.gettext("ps", NO_VOICE))
    person = page.locator("#no-voice-person")
    expect(person).to_have_text(CATALOGS.gettext("ps", "🙋 Talk to a person"))
    page.context.close()


def test_simple_french_is_chosen_like_a_language_and_is_read_in_french(
    browser: Any, relais: Relais
) -> None:
    page, chat, _ = _open(browser, relais)
    chat.tap("entry.language.fr_FALC")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#lang-select")).to_have_value("fr_FALC")
    consent = CATALOGS.gettext("fr_FALC", CONSENT_TEXT)
    assert consent != CATALOGS.gettext("fr", CONSENT_TEXT)
    expect(chat.last_bot()).to_contain_text(consent.splitlines()[0])
    assert chat.last_bot().locator(".listen").count() == 1
    page.context.close()
