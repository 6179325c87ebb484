"""An admin writes a reply template in the inbox, in French only. On the referral of a
young person who writes in English it shows as missing and cannot be sent; once the
admin adds the English wording, it is sent, and the young person reads it in English."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from support.browser import DESKTOP, PHONE, Relais
from support.chat_page import ChatPage

KEY = "papers-checklist"
ENGLISH = "Bring your ID and your last CAF letter."


def _young_person_in_english(browser: Any, relais: Relais) -> ChatPage:
    page = browser.new_context(viewport=PHONE, locale="en-GB").new_page()
    chat = ChatPage(page)
    page.goto(f"{relais.base}/?source=affiche-templates")
    chat.tap("entry.language.en")
    chat.tap("agree")
    chat.tap("menu.main.housing")
    chat.tap("street")
    expect(page.locator(".msg.urgent").first).to_be_visible()
    return chat


def _write_template(page: Any, texts: dict[str, str], new: bool) -> None:
    panel = page.locator("#templates-admin")
    if not panel.evaluate("details => details.open"):
        panel.locator("summary").click()
    form = panel.locator('form[data-key=""]' if new else f'form[data-key="{KEY}"]')
    if new:
        form.locator("input[name=key]").fill(KEY)
        form.locator("input[name=title]").fill("Liste des papiers")
    for code, text in texts.items():
        form.locator(f"textarea[name=text-{code}]").fill(text)
    form.locator("button[type=submit]").click()
    expect(panel.locator(f'form[data-key="{KEY}"]')).to_have_count(1)


def test_a_template_without_the_person_s_language_is_shown_missing_never_sent(
    browser: Any, relais: Relais, admin_token: str
) -> None:
    young = _young_person_in_english(browser, relais)
    intakes = {i["id"] for i in relais.admin_get(admin_token, "/intakes")}
    referral = max(
        r["id"]
        for r in relais.admin_get(admin_token, "/referrals", lang="en")
        if r["intake_id"] in intakes
    )

    page = browser.new_context(viewport=DESKTOP, locale="fr-FR").new_page()
    page.goto(f"{relais.base}/inbox")
    page.fill("#token", admin_token)
    page.click("#login-form button[type=submit]")
    _write_template(page, {"fr": "Apportez votre pièce d'identité."}, new=True)

    page.goto(f"{relais.base}/inbox#referral/{referral}")
    button = page.locator(f'#detail .quick button[data-template="{KEY}"]')
    expect(button).to_be_disabled()
    assert button.get_attribute("data-missing") == "en"

    _write_template(page, {"en": ENGLISH}, new=False)
    page.reload()
    page.goto(f"{relais.base}/inbox#referral/{referral}")
    expect(button).to_be_enabled()
    button.click()
    expect(young.last_bot()).to_contain_text(ENGLISH, timeout=15_000)
    assert [
        m["template"] for m in relais.admin_get(admin_token, f"/referrals/{referral}/messages")
    ] == [KEY]
