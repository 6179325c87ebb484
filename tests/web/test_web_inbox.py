"""A conseiller works the web inbox (/inbox) with a token: the urgent referral comes
first, they claim it, write a note, reply, close it; the reply reaches the young person's
chat page. Then the indicators (SVG charts, CSV export) and the day's agenda."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from support.browser import DESKTOP, PHONE, Relais, screenshot
from support.chat_page import ChatPage

REPLY = "Bonjour, je vous appelle à 14h."


def _urgent_referral_of(relais: Relais, token: str, source: str) -> int:
    intakes = {i["id"] for i in relais.admin_get(token, "/intakes") if i["source"] == source}
    referrals = relais.admin_get(token, "/referrals", urgency="urgent")
    return max(r["id"] for r in referrals if r["intake_id"] in intakes)


def _young_person_sleeping_outside(browser: Any, relais: Relais) -> tuple[Any, ChatPage]:
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    chat = ChatPage(page)
    page.goto(f"{relais.base}/?source=affiche-gare")
    chat.tap("entry.language.fr")
    chat.tap("agree")
    chat.tap("menu.main.housing")
    chat.tap("street")
    expect(page.locator(".msg.urgent").first).to_be_visible()
    return context, chat


def _sign_in(page: Any, relais: Relais, token: str) -> None:
    page.goto(f"{relais.base}/inbox")
    page.fill("#token", "not-a-token")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#login-error")).not_to_be_empty()
    page.fill("#token", token)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#who")).to_contain_text("Awa Diallo")


def test_conseiller_claims_replies_and_closes_an_urgent_referral(
    browser: Any, relais: Relais, admin_token: str, tmp_path: Path
) -> None:
    young_context, young = _young_person_sleeping_outside(browser, relais)
    referral_id = _urgent_referral_of(relais, admin_token, "affiche-gare")

    context = browser.new_context(viewport=DESKTOP, locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    _sign_in(page, relais, admin_token)
    card = page.locator(f'.card[data-id="{referral_id}"]')
    expect(card).to_be_visible()
    assert "urgency-urgent" in (page.locator(".card").first.get_attribute("class") or "")
    screenshot(page, "inbox-referrals-desktop")

    card.click()
    page.click("#claim")
    expect(page.locator("#detail .badge.status-claimed")).to_be_visible()
    page.fill("#note-text", "Rappeler avant 14h, pas de crédit sur son téléphone.")
    page.click("#note-text ~ button")
    expect(page.locator("#detail .notes li")).to_contain_text(["Rappeler avant 14h"])
    page.fill("#reply-text", REPLY)
    page.click("#reply-text ~ button")
    expect(page.locator("#detail .bubble.to_person")).to_contain_text([REPLY])
    screenshot(page, "inbox-detail-desktop", full_page=True)

    # The young person's page polls: the reply appears without a reload.
    expect(young.last_bot()).to_contain_text(REPLY, timeout=15_000)
    screenshot(young.page, "chat-reply-phone")
    young_context.close()

    # Nothing is chosen in advance: "close" alone closes nothing.
    assert page.input_value("#outcome") == ""
    page.locator("#outcome ~ button").click()
    assert page.evaluate("document.querySelector('#outcome').validity.valueMissing")
    page.wait_for_timeout(500)  # a PATCH sent by mistake would have landed by now
    assert relais.admin_get(admin_token, f"/referrals/{referral_id}")["status"] != "closed"
    page.select_option("#outcome", "housed")
    page.locator("#outcome ~ button").click()
    expect(page.locator("#detail .badge.status-closed")).to_be_visible()
    closed = relais.admin_get(admin_token, f"/referrals/{referral_id}")
    assert (closed["status"], closed["outcome"]) == ("closed", "housed")
    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "inbox-detail-phone")

    page.goto(f"{relais.base}/inbox#stats")
    page.set_viewport_size(DESKTOP)
    expect(page.locator("#charts figure")).to_have_count(6)
    expect(page.locator("#charts svg rect.bar").first).to_be_visible()
    screenshot(page, "inbox-stats-desktop", full_page=True)
    with page.expect_download() as download:
        page.click("#export")
    saved = tmp_path / "stats.csv"
    download.value.save_as(saved)
    csv = saved.read_text(encoding="utf-8")
    assert csv.startswith("indicator,key,value") and "intakes_by_source,affiche-gare," in csv

    page.click('#tabs a[data-view="agenda"]')
    expect(page.locator("#agenda-view")).to_be_visible()
    expect(page.locator("#bus")).not_to_be_empty()
    context.close()
