"""Free text is sealed at rest, readable with the right keys only, and keys rotate."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select, text

from relais.cli import main
from relais.settings import Settings
from storage import ConversationRepository, Database
from storage.models import Conversation, Intake, Referral, ReferralNote
from storage.rotation import rotate_keys, sealed_columns
from storage.sealing import SEAL_PREFIX, Keyring, SealedValueUnreadable

SECRET = "Je dors dans la voiture de Zorglub"
KEY_OLD = Keyring.generate_key().encode()
KEY_NEW = Keyring.generate_key().encode()


async def _open(url: str, *keys: bytes) -> Database:
    db = Database(url, keyring=Keyring(keys))
    await db.upgrade()
    return db


async def _write_case(db: Database) -> None:
    async with db.transaction() as session:
        conv = await ConversationRepository(session).create(
            "pk-1", "webchat", "fr", {"answers": {"situation": SECRET}}
        )
        intake = Intake(
            conversation_id=conv.id,
            theme="housing",
            answers={"situation": SECRET},
            commune="Zorglubville",
            lang="fr",
            channel="webchat",
        )
        session.add(intake)
        await session.flush()
        referral = Referral(
            intake_id=intake.id,
            conversation_id=conv.id,
            theme="housing",
            reason="journey",
            summary={"situation": SECRET},
            lang="fr",
        )
        session.add(referral)
        await session.flush()
        session.add(ReferralNote(referral_id=referral.id, body=f"note: {SECRET}"))


async def _raw_values(db: Database) -> list[str]:
    async with db.transaction() as session:
        rows = []
        for table, column in sealed_columns():
            query = text(f"SELECT {column.name} FROM {table.name}")
            rows += [str(v) for v in (await session.scalars(query)).all() if v is not None]
        return rows


async def _read_case(db: Database) -> tuple[str, str | None, str]:
    async with db.transaction() as session:
        conv = (await session.scalars(select(Conversation))).one()
        intake = (await session.scalars(select(Intake))).one()
        note = (await session.scalars(select(ReferralNote))).one()
        return conv.state["answers"]["situation"], intake.commune, note.body


async def test_free_text_is_stored_sealed(database_url: str) -> None:
    db = await _open(database_url, KEY_OLD)
    try:
        await _write_case(db)
        raw = await _raw_values(db)
        assert len(raw) == 5  # state, answers, commune, summary, note
        assert not [v for v in raw if "Zorglub" in v]
        assert all(SEAL_PREFIX in v for v in raw if v not in ("{}", "[]"))
        assert await _read_case(db) == (SECRET, "Zorglubville", f"note: {SECRET}")
    finally:
        await db.dispose()


async def test_another_key_cannot_read(database_url: str) -> None:
    db = await _open(database_url, KEY_OLD)
    await _write_case(db)
    await db.dispose()
    stranger = await _open(database_url, KEY_NEW)
    try:
        with pytest.raises(SealedValueUnreadable):
            await _read_case(stranger)
    finally:
        await stranger.dispose()


async def test_rotation_moves_every_value_to_the_new_key(database_url: str) -> None:
    db = await _open(database_url, KEY_OLD)
    await _write_case(db)
    before = await _raw_values(db)
    await db.dispose()

    both = await _open(database_url, KEY_NEW, KEY_OLD)
    try:
        assert await _read_case(both) == (SECRET, "Zorglubville", f"note: {SECRET}")
        report = await rotate_keys(both)
        assert report.rewritten["intakes.commune"] == 1
        assert report.rewritten["referral_notes.body"] == 1
        assert report.total == len([v for v in before if SEAL_PREFIX in v])
        assert not set(before) & set(await _raw_values(both))
    finally:
        await both.dispose()

    new_only = await _open(database_url, KEY_NEW)
    old_only = await _open(database_url, KEY_OLD)
    try:
        assert await _read_case(new_only) == (SECRET, "Zorglubville", f"note: {SECRET}")
        with pytest.raises(SealedValueUnreadable):
            await _read_case(old_only)
    finally:
        await new_only.dispose()
        await old_only.dispose()


async def test_values_written_before_sealing_are_read_then_sealed(database_url: str) -> None:
    db = await _open(database_url, KEY_OLD)
    try:
        async with db.transaction() as session:
            await session.execute(
                text(
                    "INSERT INTO conversations (person_key, channel, state, version,"
                    " created_at, updated_at) VALUES ('pk-legacy', 'webchat',"
                    ' \'{"answers": {"situation": "plain"}}\', 0,'
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        async with db.transaction() as session:
            conv = (await session.scalars(select(Conversation))).one()
            assert conv.state == {"answers": {"situation": "plain"}}
        assert (await rotate_keys(db)).rewritten["conversations.state"] == 1
        (raw,) = await _raw_values(db)
        assert SEAL_PREFIX in raw and "plain" not in raw
        async with db.transaction() as session:
            conv = (await session.scalars(select(Conversation))).one()
            assert conv.state == {"answers": {"situation": "plain"}}
    finally:
        await db.dispose()


def test_settings_keys_newest_first_and_derived_default(tmp_path: Path) -> None:
    sealed_by_old = Keyring([KEY_OLD]).seal("x")
    keyring = Settings(data_keys=f"{KEY_NEW.decode()}, {KEY_OLD.decode()}").keyring()
    assert keyring.open(sealed_by_old) == "x"
    assert Keyring([KEY_NEW]).open(keyring.seal("y")) == "y"
    zero_config = Settings(secret_key="s3cret", var_dir=tmp_path).keyring()
    sealed_by_derived = zero_config.seal("z")
    moving = Settings(secret_key="s3cret", data_keys=f"{KEY_NEW.decode()},derived").keyring()
    assert moving.open(sealed_by_derived) == "z"
    with pytest.raises(SealedValueUnreadable):
        Settings(secret_key="other", var_dir=tmp_path).keyring().open(sealed_by_derived)


def test_rotate_keys_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'relais.sqlite3'}"

    async def write() -> None:
        db = await _open(url, KEY_OLD)
        await _write_case(db)
        await db.dispose()

    asyncio.run(write())
    monkeypatch.setenv("RELAIS_DATABASE_URL", url)
    monkeypatch.setenv("RELAIS_DATA_KEYS", f"{KEY_NEW.decode()},{KEY_OLD.decode()}")
    assert main(["admin", "rotate-keys"]) == 0
    assert "5 values sealed under the newest key" in capsys.readouterr().out

    async def read_with_new_only() -> tuple[str, str | None, str]:
        db = await _open(url, KEY_NEW)
        try:
            return await _read_case(db)
        finally:
            await db.dispose()

    assert asyncio.run(read_with_new_only())[0] == SECRET
    assert main(["admin", "new-data-key"]) == 0
    Keyring([capsys.readouterr().out.strip().encode()])  # a valid Fernet key
