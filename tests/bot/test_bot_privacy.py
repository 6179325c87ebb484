"""/mydata shows what is kept; /forget erases the person everywhere, statistics survive."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select, text

from storage import Database
from storage.models import Conversation, InboundMessage, Intake, OutboxMessage, Referral
from storage.sealing import SEAL_PREFIX
from support.webchat import WebChat

SECRET_TOWN = "Zorglubville"
SECRET_WORDS = "merci zorglub secret"


async def _journey_with_free_text(
    chat: WebChat, client: httpx.AsyncClient, admin: dict[str, str]
) -> int:
    await chat.start()
    await chat.tap("entry.language.en")
    await chat.tap("agree")
    await chat.tap("menu.main.housing")
    await chat.tap("hosted_unstable")
    await chat.say("20")
    await chat.say(SECRET_TOWN)
    await chat.tap("none")
    await chat.tap("neet")
    await chat.tap("contact")
    rid = (await client.get("/api/v1/referrals", headers=admin)).json()[0]["id"]
    await client.post(
        f"/api/v1/referrals/{rid}/notes", json={"body": f"note {SECRET_TOWN}"}, headers=admin
    )
    await client.post(f"/api/v1/referrals/{rid}/replies", json={"text": "Hello"}, headers=admin)
    url = f"/webchat/sessions/{chat.session_id}/messages"
    chat.last = (await client.get(url, params={"after": chat.cursor})).json()["messages"]
    await chat.tap(f"nav.reply.{rid}")
    await chat.say(SECRET_WORDS, message_id="free-1")
    return int(rid)


async def _checkpointed_bytes(db: Database) -> bytes:
    """The database files' bytes once the WAL is written back into the main file."""
    path = Path(str(db.engine.url.database))
    await db.engine.dispose()
    with sqlite3.connect(path) as raw_db:
        raw_db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def _sealed_tokens(path: Path) -> list[bytes]:
    """The sealed values holding the person's free text, as stored."""
    queries = (
        "SELECT state FROM conversations",
        "SELECT answers FROM intakes",
        "SELECT commune FROM intakes",
        "SELECT body FROM referral_notes",
        "SELECT body FROM referral_messages",
    )
    with sqlite3.connect(path) as raw_db:
        values = [row[0] for query in queries for row in raw_db.execute(query)]
    return [value.strip('"').encode() for value in values if SEAL_PREFIX in value]


async def test_mydata_lists_what_is_kept(
    chat: WebChat, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    await _journey_with_free_text(chat, client, admin_headers)
    await chat.say("/mydata")
    shown = chat.text()
    assert "Here is what I keep about you" in shown
    assert SECRET_TOWN in shown and "Housing (taken by an adviser)" in shown
    assert "/forget" in shown and "housing_situation" not in shown


async def test_forget_erases_everything_personal(
    app: FastAPI, chat: WebChat, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    rid = await _journey_with_free_text(chat, client, admin_headers)
    db = app.state.services.db
    sealed: list[bytes] = []
    if db.is_sqlite:
        raw = await _checkpointed_bytes(db)
        # Free text is sealed at rest: the file holds tokens, not the words.
        assert SECRET_TOWN.encode() not in raw and SECRET_WORDS.encode() not in raw
        sealed = _sealed_tokens(Path(str(db.engine.url.database)))
        assert len(sealed) >= 5 and all(token in raw for token in sealed)
    await chat.say("/forget")
    await chat.tap("nav.forget_confirmed")
    assert "erased" in chat.text()
    gone = await client.post(f"/webchat/sessions/{chat.session_id}/messages", json={"text": "hi"})
    assert gone.status_code == 404

    async with db.transaction() as session:
        for model in (Conversation, InboundMessage, OutboxMessage):
            count = await session.scalar(select(func.count()).select_from(model))
            assert count == 0, model.__name__
        intake = (await session.scalars(select(Intake))).one()
        assert (intake.answers, intake.commune, intake.conversation_id) == ({}, None, None)
        assert intake.theme == "housing" and intake.age_band == "18_25"
        referral = await session.get(Referral, rid)
        assert referral is not None and referral.summary == {} and referral.status == "closed"
        for table in ("referral_notes", "referral_messages"):
            assert await session.scalar(text(f"SELECT count(*) FROM {table}")) == 0
    messages = await client.get(f"/api/v1/referrals/{rid}/messages", headers=admin_headers)
    assert messages.json() == []
    stats = (await client.get("/api/v1/stats", headers=admin_headers)).json()
    assert stats["referrals_by_theme"] == {"housing": 1}

    if db.is_sqlite:
        raw = await _checkpointed_bytes(db)
        assert SECRET_TOWN.encode() not in raw
        assert SECRET_WORDS.encode() not in raw
        assert not [token for token in sealed if token in raw]
