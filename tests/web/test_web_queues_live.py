"""Two conseillers of the same structure, in two teams, keep the inbox open on their
team's queue. A young person sleeping outside asks for help in the chat: the urgent
referral goes to the housing team's conseiller on duty, appears in her list without a
reload, rings and badges her tab's title; the other conseiller's list stays as it was."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import expect

from support.browser import DESKTOP, PHONE, Relais
from support.chat_page import ChatPage

HOUSING, CEJ = "ml-cmv-housing-referent", "ml-cmv-cej-sector"


def _admin(relais: Relais, token: str, method: str, path: str, body: Any = None) -> None:
    answer = httpx.request(
        method,
        f"{relais.base}/api/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    answer.raise_for_status()


def _team_member(relais: Relais, admin: str, name: str, queue: str) -> tuple[int, str]:
    token = relais.create_token("--role", "conseiller", "--structure", "ml-cmv", "--name", name)
    me = relais.admin_get(token, "/me")
    _admin(relais, admin, "PUT", f"/queues/{queue}/members/{me['id']}")
    _admin(relais, admin, "PATCH", f"/tokens/{me['id']}", {"on_duty": True})
    return me["id"], token


def _inbox_on_team_queue(browser: Any, relais: Relais, token: str, queue: str) -> Any:
    page = browser.new_context(viewport=DESKTOP, locale="fr-FR").new_page()
    page.goto(f"{relais.base}/inbox")
    page.fill("#token", token)
    page.click("#login-form button[type=submit]")
    page.select_option("#filters select[name=queue]", queue)
    page.click("#filters button[type=submit]")
    # The first poll on the team's scope is done.
    expect(page.locator('body[data-live-scope="mine"]')).to_have_count(1)
    page.evaluate("window.notReloaded = true")
    return page


def _young_person_sleeping_outside(browser: Any, relais: Relais) -> None:
    page = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    chat = ChatPage(page)
    page.goto(f"{relais.base}/?source=affiche-bus")
    chat.tap("entry.language.fr")
    chat.tap("agree")
    chat.tap("menu.main.housing")
    chat.tap("street")
    expect(page.locator(".msg.urgent").first).to_be_visible()
    page.context.close()


def test_an_urgent_referral_reaches_the_right_team_live(
    browser: Any, relais: Relais, admin_token: str
) -> None:
    lina, lina_token = _team_member(relais, admin_token, "Lina Haddad", HOUSING)
    _, marc_token = _team_member(relais, admin_token, "Marc Roux", CEJ)
    lina_page = _inbox_on_team_queue(browser, relais, lina_token, HOUSING)
    marc_page = _inbox_on_team_queue(browser, relais, marc_token, CEJ)
    marc_cards = marc_page.locator(".card").count()
    assert not re.match(r"^\(\d+\) ", marc_page.title())

    _young_person_sleeping_outside(browser, relais)
    newest = max(r["id"] for r in relais.admin_get(admin_token, "/referrals", urgency="urgent"))
    referral = relais.admin_get(admin_token, f"/referrals/{newest}")
    assert (referral["role"], referral["assigned_to"]) == (HOUSING, lina)

    card = lina_page.locator(f'.card[data-id="{newest}"]')
    expect(card).to_be_visible(timeout=15_000)
    expect(lina_page).to_have_title(re.compile(r"^\(\d+\) "))
    assert int(lina_page.evaluate("document.body.dataset.beeps || '0'")) >= 1
    assert lina_page.evaluate("window.notReloaded") is True

    # Marc's inbox has polled past the new referral (wait_for_function would need eval,
    # which the inbox's CSP forbids).
    for _ in range(100):
        if int(marc_page.evaluate("document.body.dataset.live || '0'")) >= newest:
            break
        marc_page.wait_for_timeout(200)
    assert int(marc_page.evaluate("document.body.dataset.live || '0'")) >= newest
    expect(marc_page.locator(f'.card[data-id="{newest}"]')).to_have_count(0)
    assert marc_page.locator(".card").count() == marc_cards
    assert not re.match(r"^\(\d+\) ", marc_page.title())
