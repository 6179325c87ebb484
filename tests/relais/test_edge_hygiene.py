"""What the edge of `relais serve` guarantees (issue 20): no NUL reaches the database, the
admin API's answers are never cached, the SQLite file is private, and database errors
never carry the statement's values."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from relais.nul_guard import without_nul
from storage import Database
from support.webchat import WebChat


def test_only_real_nul_escapes_are_removed_from_json() -> None:
    assert without_nul(rb'{"a": "x\u0000y"}') == rb'{"a": "xy"}'
    # An escaped backslash followed by the letters u0000 is text, not a NUL.
    assert without_nul(rb'{"a": "\\u0000"}') == rb'{"a": "\\u0000"}'
    assert without_nul(rb'{"a": "\\\u0000"}') == rb'{"a": "\\"}'


async def test_a_nul_in_a_chat_message_is_dropped_not_a_500(chat: WebChat) -> None:
    await chat.start(lang="fr")
    url = f"/webchat/sessions/{chat.session_id}/messages"
    response = await chat.client.post(url, json={"text": "bon\u0000jour", "message_id": "a\u0000b"})
    assert response.status_code == 200, response.text
    # The same message id without its NUL is the same message: answered once.
    again = await chat.client.post(url, json={"text": "bonjour", "message_id": "ab"})
    assert again.json()["messages"] == response.json()["messages"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/referrals?theme=a%00b", "/api/v1/slots?place=%00", "/webchat/ui?lang=f%00r"],
)
async def test_a_nul_in_a_query_is_a_precise_422(
    client: httpx.AsyncClient, admin_headers: dict[str, str], path: str
) -> None:
    response = await client.get(path, headers=admin_headers)
    assert response.status_code == 422
    assert "NUL" in response.json()["detail"][0]["msg"]


async def test_a_nul_in_staff_json_is_dropped_not_a_500(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    body = {
        "kind": "one_off",
        "name": "Perm\u0000anence",
        "address": "1 rue\u0000 X",
        "starts_at": "2031-03-04T14:00:00+01:00",
        "ends_at": "2031-03-04T15:00:00+01:00",
    }
    response = await client.post("/api/v1/openings", json=body, headers=admin_headers)
    assert response.status_code < 500, response.text
    assert "\u0000" not in response.text


async def test_admin_answers_are_never_stored_by_a_cache(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    response = await client.get("/api/v1/referrals", headers=admin_headers)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert (await client.get("/api/v1/referrals")).headers["cache-control"] == "no-store"
    assert "no-store" not in (await client.get("/health")).headers.get("cache-control", "")


async def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "relais.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await database.upgrade()
    finally:
        await database.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_database_errors_do_not_carry_the_values(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Fatima-sleeps-at-the-station"
    with pytest.raises(Exception) as raised:
        async with db.transaction() as session:
            await session.execute(text("SELECT * FROM no_such_table WHERE x = :v"), {"v": secret})
    caplog.set_level(logging.DEBUG)
    assert secret not in str(raised.value)
