"""The bus team taps "met" on the kiosk; the indicators page then shows the seeds' yearly
tables (each as a table, most with a chart) with those taps in this month, and exports
them as CSV. In Chromium against a real `relais serve`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from support.browser import DESKTOP, Relais, screenshot

TABLES = [
    "people", "gender", "qpv", "known_to_ml", "age_bands", "statuses", "territories",
    "themes", "outcomes", "aid_by_fund", "aid_by_purpose", "ctai", "ctai_exits", "kiosk_met",
]  # fmt: skip


def _tap_met_twice(browser: Any, relais: Relais) -> int:
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{relais.base}/?kiosk=bus-jaude")
    counter = page.locator("#met-count")
    expect(page.locator("#met-box")).to_be_visible()
    expect(page.locator("#met")).not_to_have_text("")
    before = int(counter.text_content() or "0")
    for expected in (before + 1, before + 2):
        page.click("#met")
        expect(counter).to_have_text(str(expected))
    context.close()
    return before + 2


def test_the_yearly_report_shows_the_seeds_tables_and_the_bus_taps(
    browser: Any, relais: Relais, tmp_path: Path
) -> None:
    met = _tap_met_twice(browser, relais)
    token = relais.create_token("--role", "admin", "--name", "Report Reader")
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{relais.base}/inbox")
    page.fill("#token", token)
    page.click("#login-form button[type=submit]")
    page.click('#tabs a[data-view="stats"]')
    for name in TABLES:
        caption = page.locator(f"#report-{name} caption")
        expect(caption).to_be_visible()
        expect(caption).not_to_have_text(f"report.{name}")
    month = date.today().strftime("%Y-%m")
    shown = relais.admin_get(token, "/stats/yearly", year=str(date.today().year))
    assert shown["tables"]["kiosk_met"][month]["total"] == met
    # The month's row of the bus table: its "total" cell is the taps.
    expect(page.locator("#report-kiosk_met tbody tr").nth(date.today().month - 1)).to_contain_text(
        str(met)
    )
    expect(page.locator("#report .chart svg")).not_to_have_count(0)
    screenshot(page, "inbox-report-desktop", full_page=True)

    page.select_option("#report-form select[name=structure]", "ml-cmv")
    page.click("#report-form button[type=submit]")
    expect(page.locator("#report-people caption")).to_be_visible()
    with page.expect_download() as download:
        page.click("#report-export")
    saved = tmp_path / "report.csv"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("table,row,column,value")
    assert "outcomes,pmsmp,referrals,0" in text
    context.close()
