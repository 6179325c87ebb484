"""Channel addresses: written once, rewritten only for a person who was unreachable."""

from __future__ import annotations

from storage import ConversationRepository, Database
from storage.channel_addresses import ChannelAddressRepository


async def test_an_address_is_written_once_then_only_after_it_failed(db: Database) -> None:
    async with db.transaction() as session:
        conv = await ConversationRepository(session).create("someone", "telegram", "fr", {})
        repo = ChannelAddressRepository(session)
        assert await repo.save(conv.id, "sealed-1") is True
        assert await repo.save(conv.id, "sealed-2") is False  # same chat: no rewrite
        assert (await repo.get(conv.id)).address == "sealed-1"
        await repo.mark_unreachable(conv.id)
    async with db.transaction() as session:
        repo = ChannelAddressRepository(session)
        assert await repo.unreachable() == [conv.id]
        assert await repo.save(conv.id, "sealed-3") is True  # they wrote again: reachable
        assert await repo.unreachable() == []
