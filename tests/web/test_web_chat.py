"""A young person chats in Arabic on a phone: right-to-left page, housing journey, an
appointment booked; the conversation survives a reload and the back button."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from conversations.i18n import Catalogs
from support.browser import DESKTOP, PHONE, Relais, screenshot
from support.chat_page import ChatPage

TOWN_QUESTION = "In which town do you live? Write its name."


def _page_direction(page: Any) -> tuple[str, str]:
    dir_, lang = page.evaluate("[document.documentElement.dir, document.documentElement.lang]")
    return dir_, lang


def test_housing_journey_in_arabic_then_booking(
    browser: Any, relais: Relais, admin_token: str
) -> None:
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    chat = ChatPage(page)
    page.goto(f"{relais.base}/?source=poster-web-test")
    chat.tap("entry.language.ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert _page_direction(page) == ("rtl", "ar")
    assert page.locator("#lang-select").input_value() == "ar"

    chat.tap("agree")
    chat.tap("menu.main.housing")
    bubble = chat.last_bot()
    assert bubble.get_attribute("dir") == "auto"
    assert bubble.evaluate("el => getComputedStyle(el).direction") == "rtl"
    for button in page.locator(".choice").all():
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44
    chat.tap("hosted_unstable")
    chat.tap("housing.age.18_25")
    chat.say("Clermont-Ferrand")
    chat.tap("low")
    chat.tap("neet")
    chat.skip_to("contact")
    assert _page_direction(page) == ("rtl", "ar")

    chat.tap("menu.main.appointment")
    chat.tap("first_visit")
    chat.tap("appointment.place.perm-ml-hq")
    chat.tap("appointment.day.")
    chat.tap("appointment.time.")
    chat.tap("appointment.confirm.yes")
    expect(page.locator(".msg.bot", has_text="✅")).to_have_count(1)
    screenshot(page, "chat-ar-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "chat-ar-desktop")

    intakes = relais.admin_get(admin_token, "/intakes")
    mine = {
        (i["theme"], i["lang"], i["channel"]) for i in intakes if i["source"] == "poster-web-test"
    }
    assert {("housing", "ar", "web"), ("appointment", "ar", "web")} <= mine
    booked = [a for a in relais.admin_get(admin_token, "/appointments") if a["lang"] == "ar"]
    assert [(a["place_id"], a["status"]) for a in booked] == [("ml-hq", "booked")]

    # A reload shows the conversation again, still right to left, with the last buttons.
    before = page.locator(".msg.bot").count()
    said = page.locator(".msg.me .text").all_inner_texts()
    page.reload()
    expect(page.locator(".msg.bot")).to_have_count(before)
    # ... with the person's own answers between the questions, in the same order.
    assert page.locator(".msg.me .text").all_inner_texts() == said
    town = page.locator(".msg.me", has_text="Clermont-Ferrand")
    asked = town.locator("xpath=preceding-sibling::div[contains(@class, 'msg')][1]")
    expect(asked).to_contain_text(Catalogs().gettext("ar", TOWN_QUESTION))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".choices")).to_have_count(1)
    # Leaving the page and coming back with the back button resumes it too.
    page.goto(f"{relais.base}/inbox")
    page.go_back()
    expect(page.locator(".msg.bot")).to_have_count(before)
    chat.tap("menu.main.aid")
    assert _page_direction(page) == ("rtl", "ar")
    context.close()


def test_a_moment_without_database_keeps_the_message_and_says_try_again(
    browser: Any, relais: Relais
) -> None:
    """The server answers 503 while its database is away (tested against a real outage
    in tests/bot/test_trust_database_outage.py); here the page's side: the person is
    told, in their language, to try again, and what they typed is still there."""
    context = browser.new_context(viewport=PHONE, locale="uk-UA")
    page = context.new_page()
    chat = ChatPage(page)
    page.goto(f"{relais.base}/")
    chat.tap("entry.language.uk")
    chat.tap("agree")
    messages = "**/webchat/sessions/*/messages"
    page.route(
        messages,
        lambda route: (
            route.fulfill(status=503, json={"detail": "unavailable"})
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    mine = page.locator(".msg.me").count()
    page.fill("#text", "Мені нема де спати")
    page.press("#text", "Enter")
    expect(page.locator("#status")).to_contain_text("спробуй ще раз за хвилинку")
    assert page.input_value("#text") == "Мені нема де спати"
    expect(page.locator(".msg.me")).to_have_count(mine)  # the echo is taken back
    page.unroute(messages)
    page.press("#text", "Enter")
    expect(page.locator(".msg.me").last).to_contain_text("Мені нема де спати")
    expect(page.locator(".msg.bot").last).not_to_have_text("")
    context.close()


def test_typing_while_the_next_question_arrives_keeps_the_text_field(
    browser: Any, relais: Relais
) -> None:
    """A keyboard user taps a choice, then starts typing before the page has redrawn the
    next question: the page may focus the new first choice only if focus was lost, or
    the person's Enter would tap a button they never chose."""
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    chat = ChatPage(page)
    page.goto(f"{relais.base}/")
    chat.tap("entry.language.fr")
    held: list[Any] = []
    page.route(
        "**/webchat/sessions/*/messages?after=*",
        lambda route: held.append(route) if route.request.method == "GET" else route.continue_(),
    )
    chat.choice("agree").focus()
    page.keyboard.press("Enter")
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the page did not fetch the replies after the turn"
    page.click("#text")
    page.keyboard.type("je dors dehors")
    held.pop().continue_()
    expect(page.locator(".choice:enabled").first).to_be_visible()
    page.wait_for_timeout(300)  # the redraw after the fetch
    assert page.evaluate("document.activeElement.id") == "text"
    assert page.input_value("#text") == "je dors dehors"
    page.unroute("**/webchat/sessions/*/messages?after=*")
    # Without typing, the keyboard user goes on from the next question's first choice.
    page.fill("#text", "")
    chat.choice("menu.main.housing").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".choice:focus")).to_have_count(1)
    context.close()


def test_the_language_menu_mid_journey_asks_the_same_question_in_the_new_language(
    browser: Any, relais: Relais
) -> None:
    """Picking Türkçe in the page's language menu half-way through an Arabic housing
    journey: the page turns left to right and Turkish, the question is asked again in
    Turkish, and the answers given so far are kept (not "that button belongs to an
    earlier question", in Arabic, inside a Turkish page)."""
    catalogs = Catalogs()
    context = browser.new_context(viewport=PHONE, locale="ar")
    page = context.new_page()
    chat = ChatPage(page)
    page.goto(f"{relais.base}/")
    chat.tap("entry.language.ar")
    chat.tap("agree")
    chat.tap("menu.main.housing")
    chat.tap("hosted_unstable")
    chat.tap("housing.age.18_25")
    expect(chat.last_bot()).to_contain_text(catalogs.gettext("ar", TOWN_QUESTION))

    page.select_option("#lang-select", "tr")
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    assert _page_direction(page) == ("ltr", "tr")
    expect(chat.last_bot()).to_contain_text(catalogs.gettext("tr", TOWN_QUESTION))
    chat.say("Clermont-Ferrand")  # the town question is still the one being answered
    expect(chat.choice("housing.resources.low")).to_be_visible()
    assert page.locator("#lang-select").input_value() == "tr"
    context.close()
