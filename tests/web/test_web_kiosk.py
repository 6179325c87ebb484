"""The outreach bus tablet (`/?kiosk=bus-jaude`): a start screen, the source on the
intake, and "finish" leaves no trace of the conversation for the next person."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from support.browser import DESKTOP, PHONE, Relais, screenshot
from support.chat_page import ChatPage

SECRET = "rue des Tilleuls"


def test_kiosk_start_answer_finish_leaves_no_trace(
    browser: Any, relais: Relais, admin_token: str
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    page = context.new_page()
    chat = ChatPage(page)
    page.goto(f"{relais.base}/?kiosk=bus-jaude")
    start = page.locator("#start")
    expect(start).to_be_visible()
    expect(start).not_to_have_text("")
    box = start.bounding_box()
    assert box is not None and box["height"] >= 64
    screenshot(page, "kiosk-start-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "kiosk-start-phone")
    page.set_viewport_size(DESKTOP)

    start.click()
    chat.tap("entry.language.fr")
    chat.tap("agree")
    chat.tap("menu.main.housing")
    chat.tap("street")
    expect(page.locator(".msg.urgent").first).to_be_visible()
    chat.say(f"je dors {SECRET} ce soir")
    session = chat.session()
    assert session is not None
    screenshot(page, "kiosk-chat-desktop")

    page.click("#finish")
    with page.expect_response(lambda r: r.url.endswith("/end")) as ended:
        page.click("#finish-yes")
    assert ended.value.status == 204
    expect(page.locator("#start")).to_be_visible()
    expect(page.locator("#thanks")).to_be_visible()
    assert page.locator("#log > *").count() == 0
    assert SECRET not in page.content() and "115" not in page.content()
    assert page.evaluate("sessionStorage.length") == 0
    assert page.input_value("#text") == ""
    # The retired session id can no longer read or write the conversation...
    url = f"{relais.base}/webchat/sessions/{session['id']}/messages"
    assert httpx.get(url, params={"after": 0}, timeout=10).status_code == 404
    # ...and a reload shows the start screen, not the previous person's chat.
    page.reload()
    expect(page.locator("#start")).to_be_visible()
    assert page.locator("#log > *").count() == 0

    # What the person asked for is kept for the conseillers, with the bus stop as source.
    intakes = relais.admin_get(admin_token, "/intakes")
    kiosk = [i for i in intakes if i["source"] == "bus-jaude"]
    assert kiosk and all(i["channel"] == "web" and i["lang"] == "fr" for i in kiosk)
    referrals = relais.admin_get(admin_token, "/referrals")
    assert {i["id"] for i in kiosk} & {r["intake_id"] for r in referrals}
    context.close()
