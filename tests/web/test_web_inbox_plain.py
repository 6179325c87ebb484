"""A referral read in plain French (issue 18): a Dari speaker sleeping outside asks for
the housing adviser; the conseiller's detail page, in Chromium, shows labels, names and
service cards, never a code of the API (facts, answers, structure, queue, services,
language), shows the person's language and script, and asks for a confirmation before a
free reply the person cannot read."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import expect

from support.browser import DESKTOP, Relais, screenshot

# The brief's own examples, then every code of the fixture referral (read from the API).
NAMED_CODES = (
    "housing_situation",
    "street",
    "18_25",
    "ml-cmv",
    "ml-cmv-housing-referent",
    "siao-63-115",
    "homeless_tonight",
    "fa_AF",
)
# Preferred answers on the way; any other question takes its first offered answer.
PREFERRED = ("street", "18_25", "low", "neet", "none", "not_said", "contact")


def _post(client: httpx.Client, path: str, body: dict[str, Any]) -> list[str]:
    response = client.post(path, json=body)
    response.raise_for_status()
    return [b["payload"] for m in response.json()["messages"] for b in m["buttons"]]


def _dari_speaker_sleeping_outside(relais: Relais) -> None:
    """The housing journey in Dari through the web chat API, up to "contact me"."""
    with httpx.Client(base_url=relais.base, timeout=20) as client:
        started = client.post("/webchat/sessions", json={})
        started.raise_for_status()
        url = f"/webchat/sessions/{started.json()['session_id']}/messages"
        offered = _post(client, url, {"payload": "entry.language.fa_AF"})
        offered = _post(client, url, {"payload": next(p for p in offered if p.endswith("agree"))})
        offered = _post(client, url, {"payload": "menu.main.housing"})
        for _ in range(30):
            choices = [p for p in offered if not p.startswith("nav.")]
            if not choices:
                offered = _post(client, url, {"text": "Clermont-Ferrand"})
                continue
            wanted = next(
                (p for want in PREFERRED for p in choices if p.endswith(f".{want}")), choices[0]
            )
            offered = _post(client, url, {"payload": wanted})
            if wanted.endswith(".contact"):
                return
    raise AssertionError("the housing journey never offered a contact")


def _codes_of(referral: dict[str, Any]) -> set[str]:
    """Identifiers of the referral as the API gives them: with `_`, `-` or a digit."""
    summary = referral["summary"]
    found = {referral["structure"], referral["role"], referral["lang"], *summary["suggest"]}
    for name, value in summary["facts"].items():
        found.add(name)
        found.update(str(v) for v in (value if isinstance(value, list) else [value]))
    intake = referral["intake"] or {}
    for name, value in (intake.get("answers") or {}).items():
        found.update((name, str(value)))
    return {c for c in found if c and re.search(r"[_\-0-9]", c) and not c[0].isupper()}


def test_a_referral_detail_shows_labels_names_and_cards_only(
    browser: Any, relais: Relais, admin_token: str
) -> None:
    _dari_speaker_sleeping_outside(relais)
    journeys = relais.admin_get(admin_token, "/referrals", theme="housing", lang="fa_AF")
    newest = max(r["id"] for r in journeys)
    referral = relais.admin_get(admin_token, f"/referrals/{newest}")
    assert referral["summary"]["facts"]["housing_situation"] == "street"
    assert "siao-63-115" in referral["summary"]["suggest"]
    codes = _codes_of(referral) | set(NAMED_CODES)

    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{relais.base}/inbox#token={admin_token}")
    expect(page.locator("#who")).to_contain_text("Awa Diallo")
    page.evaluate(f"location.hash = '#referral/{referral['id']}'")
    detail = page.locator("#detail")
    expect(detail.locator("#person-language")).to_be_visible()
    expect(detail.locator(".service-card").first).to_be_visible()

    seen = detail.inner_text()
    shown = [
        code for code in sorted(codes) if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", seen)
    ]
    assert shown == [], f"internal codes on the page: {shown}"
    assert not re.search(r"\b[a-z]+_[a-z0-9_]+\b", seen), "a snake_case code is shown"
    expect(detail.locator("#person-language")).to_contain_text("دری")
    card_names = detail.locator(".service-card strong").all_inner_texts()
    assert any("115" in name for name in card_names)
    screenshot(page, "inbox-detail-plain", full_page=True)

    # A free reply the person cannot read waits for the conseiller's confirmation.
    expect(detail.locator("#reply-warning")).to_be_visible()
    page.fill("#reply-text", "Bonjour, je vous appelle demain.")
    page.click("#reply-text ~ button")
    expect(detail.locator("#reply-warning [role=alert]")).to_be_visible()
    assert relais.admin_get(admin_token, f"/referrals/{referral['id']}/messages") == []
    page.check("#reply-confirm")
    page.click("#reply-text ~ button")
    expect(detail.locator(".bubble.to_person")).to_have_count(1)
    context.close()
