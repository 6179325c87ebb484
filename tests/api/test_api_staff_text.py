"""Staff text loses bidi overrides and control characters at the edge (issue 20): a
reply with U+202E used to show "‮evil.exe" as "exe.live" in the young person's chat, and
an RLO in a token name reversed the inbox header."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from support.webchat import WebChat

DISGUISES = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\x07"
TRICK = "\u202eexe.live\u202c \u2066ok\u2069\x07"


def _plain(text: str) -> bool:
    return not any(char in text for char in DISGUISES)


async def _conseiller(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, str]:
    created = await client.post(
        "/api/v1/tokens",
        json={"role": "conseiller", "structure": "ml-cmv", "name": "\u202eawA\u202c Ben"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "awA Ben"
    return {"Authorization": f"Bearer {created.json()['token']}"}


async def test_a_reply_and_a_note_reach_people_without_disguise(
    client: httpx.AsyncClient, chat: WebChat, admin_headers: dict[str, str]
) -> None:
    ben = await _conseiller(client, admin_headers)
    await chat.start(lang="en")
    await chat.tap("entry.language.en")
    await chat.tap("agree")
    await chat.tap("nav.human")
    referral = (await client.get("/api/v1/referrals", headers=ben)).json()[0]["id"]
    base = f"/api/v1/referrals/{referral}"
    sent = await client.post(f"{base}/replies", json={"text": TRICK}, headers=ben)
    assert sent.status_code == 201 and _plain(sent.json()["body"])
    url = f"/webchat/sessions/{chat.session_id}/messages"
    told = (await client.get(url, params={"after": chat.cursor})).json()["messages"]
    assert "exe.live ok" in told[-1]["text"] and "awA Ben" in told[-1]["text"]
    assert _plain(told[-1]["text"].replace("\u2068", "").replace("\u2069", ""))
    note = await client.post(f"{base}/notes", json={"body": TRICK}, headers=ben)
    assert note.status_code == 201 and note.json()["body"] == "exe.live ok"
    empty = await client.post(f"{base}/notes", json={"body": "\u202e\u202c"}, headers=ben)
    assert empty.status_code == 422


async def test_openings_and_closures_are_written_plain(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=4)
    period = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}
    opening = await client.post(
        "/api/v1/openings",
        json={"kind": "one_off", "name": TRICK, "address": f"1 rue {TRICK}\nX", **period},
        headers=admin_headers,
    )
    assert opening.status_code == 201, opening.text
    assert opening.json()["name"] == "exe.live ok"
    assert opening.json()["address"] == "1 rue exe.live ok X"
    closure = await client.post(
        "/api/v1/closures", json={"reason": TRICK, **period}, headers=admin_headers
    )
    assert closure.status_code == 201 and closure.json()["reason"] == "exe.live ok"
    nameless = await client.post(
        "/api/v1/openings",
        json={"kind": "one_off", "name": "\u202e", **period},
        headers=admin_headers,
    )
    assert nameless.status_code == 422
