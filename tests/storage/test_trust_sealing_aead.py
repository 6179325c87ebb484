"""Sealing with AES-256-GCM (issue 14) keeps every promise Fernet kept.

- What is sealed now is an `enc2:` token; Fernet tokens written before (`enc1:`) still
  open with the same data keys, in the keyring's code and through the columns.
- Key rotation still works: an old key opens, the newest seals, `rotate-keys` turns the
  Fernet tokens into AES-GCM ones under the newest key.
- A token altered by one bit, or sealed under a key the keyring does not have, is refused.
"""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from storage import ConversationRepository, Database
from storage.models import Conversation
from storage.rotation import rotate_keys
from storage.sealing import (
    FERNET_PREFIX,
    SEAL_PREFIX,
    Keyring,
    SealedValueUnreadable,
    is_sealed,
)

KEY_OLD = Keyring.generate_key().encode()
KEY_NEW = Keyring.generate_key().encode()
SECRET = "Je dors dans la voiture de Zorglub"


def _fernet_token(key: bytes, plain: str) -> str:
    """A value as the earlier versions sealed it."""
    return FERNET_PREFIX + Fernet(key).encrypt(plain.encode()).decode("ascii")


def test_seals_with_aes_gcm_and_opens_it() -> None:
    keyring = Keyring([KEY_NEW])
    sealed = keyring.seal(SECRET)
    assert sealed.startswith(SEAL_PREFIX) and SECRET not in sealed and is_sealed(sealed)
    assert keyring.open(sealed) == SECRET
    assert keyring.seal(SECRET) != sealed  # a fresh nonce every time


def test_fernet_tokens_written_before_still_open() -> None:
    legacy = _fernet_token(KEY_OLD, SECRET)
    assert is_sealed(legacy)
    assert Keyring([KEY_OLD]).open(legacy) == SECRET
    assert Keyring([KEY_NEW, KEY_OLD]).open(legacy) == SECRET
    with pytest.raises(SealedValueUnreadable):
        Keyring([KEY_NEW]).open(legacy)


def test_rotation_in_the_keyring() -> None:
    by_old = Keyring([KEY_OLD]).seal(SECRET)
    both = Keyring([KEY_NEW, KEY_OLD])
    assert both.open(by_old) == SECRET
    moved = both.reseal(by_old)
    assert moved.startswith(SEAL_PREFIX)
    assert Keyring([KEY_NEW]).open(moved) == SECRET
    with pytest.raises(SealedValueUnreadable):
        Keyring([KEY_OLD]).open(moved)
    from_fernet = both.reseal(_fernet_token(KEY_OLD, SECRET))
    assert from_fernet.startswith(SEAL_PREFIX)
    assert Keyring([KEY_NEW]).open(from_fernet) == SECRET


def test_altered_or_foreign_tokens_are_refused() -> None:
    keyring = Keyring([KEY_NEW])
    raw = bytearray(base64.urlsafe_b64decode(keyring.seal(SECRET)[len(SEAL_PREFIX) :]))
    raw[-1] ^= 1
    altered = SEAL_PREFIX + base64.urlsafe_b64encode(bytes(raw)).decode("ascii")
    for bad in (altered, SEAL_PREFIX + "not base64!", SEAL_PREFIX, Keyring([KEY_OLD]).seal("x")):
        with pytest.raises(SealedValueUnreadable):
            keyring.open(bad)


async def test_fernet_rows_are_read_and_rotated_to_aes_gcm(database_url: str) -> None:
    db = Database(database_url, keyring=Keyring([KEY_NEW, KEY_OLD]))
    await db.upgrade()
    try:
        legacy = _fernet_token(KEY_OLD, '{"answers":{"situation":"' + SECRET + '"}}')
        async with db.transaction() as session:
            await session.execute(
                text(
                    "INSERT INTO conversations (person_key, channel, state, version,"
                    " created_at, updated_at) VALUES ('pk-fernet', 'webchat', :state, 0,"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"state": f'"{legacy}"'},
            )
            await ConversationRepository(session).create(
                "pk-aead", "webchat", "fr", {"answers": {"situation": SECRET}}
            )
        async with db.transaction() as session:
            states = {c.person_key: c.state for c in await session.scalars(select(Conversation))}
        assert states["pk-fernet"] == states["pk-aead"] == {"answers": {"situation": SECRET}}

        assert (await rotate_keys(db)).rewritten["conversations.state"] == 2
        async with db.transaction() as session:
            raw = [r[0] for r in await session.execute(text("SELECT state FROM conversations"))]
        assert len(raw) == 2
        assert all(SEAL_PREFIX in str(v) and FERNET_PREFIX not in str(v) for v in raw)
    finally:
        await db.dispose()

    new_only = Database(database_url, keyring=Keyring([KEY_NEW]))
    try:
        async with new_only.transaction() as session:
            states = [c.state for c in await session.scalars(select(Conversation))]
        assert states == [{"answers": {"situation": SECRET}}] * 2
    finally:
        await new_only.dispose()
