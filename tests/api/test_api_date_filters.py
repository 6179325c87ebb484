"""Date filters given as plain dates ("2026-12-03", the form the 422 message itself shows)
are read as UTC days: they answered 500 (a naive time compared with aware ones)."""

from __future__ import annotations

from datetime import timedelta

import httpx

from storage.types import utcnow
from support.webchat import WebChat


async def _one_referral(chat: WebChat) -> None:
    await chat.start()
    await chat.tap("entry.language.fr")
    await chat.tap("agree")
    await chat.tap("menu.main.housing")
    await chat.tap("street")


async def test_plain_dates_filter_referrals_and_stats(
    client: httpx.AsyncClient, chat: WebChat, admin_headers: dict[str, str]
) -> None:
    await _one_referral(chat)
    today = utcnow().date()
    day = timedelta(days=1)

    async def listed(start: object, end: object) -> int:
        response = await client.get(
            "/api/v1/referrals",
            params={"created_from": str(start), "created_to": str(end)},
            headers=admin_headers,
        )
        assert response.status_code == 200, response.text
        return int(response.headers["X-Total-Count"])

    assert await listed(today, today + day) == 1
    assert await listed(today - 3 * day, today - day) == 0
    stats = await client.get(
        "/api/v1/stats",
        params={"from": str(today - 30 * day), "to": str(today + day)},
        headers=admin_headers,
    )
    assert stats.status_code == 200, stats.text
    bad = await client.get(
        "/api/v1/referrals", params={"created_from": "03/12/2026"}, headers=admin_headers
    )
    assert bad.status_code == 422
