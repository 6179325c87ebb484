"""Channel addresses are sealed by their column like other personal text, re-sealed by
key rotation, and the addresses written before (older address key) stay readable."""

from __future__ import annotations

from sqlalchemy import text

from bot.telegram.dispatcher import chat_id_of
from storage import ConversationRepository, Database
from storage.channel_addresses import ChannelAddressRepository
from storage.rotation import sealed_columns
from storage.sealing import SEAL_PREFIX, AddressSealer


async def test_a_chat_id_is_stored_sealed_and_read_back(db: Database) -> None:
    async with db.transaction() as session:
        conv = await ConversationRepository(session).create("someone", "telegram", "fr", {})
        await ChannelAddressRepository(session).save(conv.id, "123456789")
    async with db.transaction() as session:
        raw = await session.scalar(text("SELECT address FROM channel_addresses"))
        assert raw.startswith(SEAL_PREFIX) and "123456789" not in raw
        row = await ChannelAddressRepository(session).get(conv.id)
        assert row is not None and row.address == "123456789"


def test_key_rotation_covers_channel_addresses() -> None:
    assert ("channel_addresses", "address") in {(t.name, c.name) for t, c in sealed_columns()}


def test_addresses_written_with_the_older_key_are_still_read() -> None:
    legacy = AddressSealer(b"secret")
    assert chat_id_of(legacy.seal("987654321"), legacy) == 987654321
    assert chat_id_of("-100200300", legacy) == -100200300
