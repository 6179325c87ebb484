"""Contract tests for conversations, the inbox (idempotency) and the outbox (cursor).

Every test runs on SQLite and PostgreSQL through the `db` fixture; each step uses its own
`db.transaction()` the way the bot does, so commit boundaries are exercised too.
"""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from storage import ConversationRepository, Database, InboxRepository, OutboxRepository

PERSON = "a" * 64


async def _conversation(db: Database, person_key: str = PERSON) -> int:
    async with db.transaction() as session:
        conv = await ConversationRepository(session).create(person_key, "web", "fr", {})
        return conv.id


async def test_conversation_create_get_save(db: Database) -> None:
    async with db.transaction() as session:
        repo = ConversationRepository(session)
        assert await repo.get_for_update(PERSON) is None
        conv = await repo.create(PERSON, "whatsapp", None, {"node": "start"})
        assert conv.id > 0 and conv.version == 0 and conv.consent is None
        created = conv.updated_at

    async with db.transaction() as session:
        repo = ConversationRepository(session)
        conv = await repo.get_for_update(PERSON)
        assert conv is not None and conv.state == {"node": "start"}
        assert conv.created_at.tzinfo is not None
        await repo.save(conv, {"node": "theme", "answers": {"age": "16-17"}}, "ar", True)

    async with db.transaction() as session:
        conv = await ConversationRepository(session).get(conv.id)
        assert conv is not None
        assert conv.state == {"node": "theme", "answers": {"age": "16-17"}}
        assert (conv.lang, conv.consent, conv.version) == ("ar", True, 1)
        assert conv.updated_at >= created
        assert await ConversationRepository(session).get(conv.id + 1000) is None


async def test_person_key_is_unique(db: Database) -> None:
    await _conversation(db)
    with pytest.raises(IntegrityError):
        await _conversation(db)


async def test_inbox_is_unique_per_channel_and_key(db: Database) -> None:
    conv_id = await _conversation(db)
    replies = [{"text": "Bonjour", "buttons": []}]
    async with db.transaction() as session:
        inbox = InboxRepository(session)
        assert await inbox.find("whatsapp", "wamid.1") is None
        await inbox.record("whatsapp", "wamid.1", conv_id, replies)
        await inbox.record("telegram", "wamid.1", conv_id, [])

    async with db.transaction() as session:
        found = await InboxRepository(session).find("whatsapp", "wamid.1")
        assert found is not None and found.replies == replies

    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            await InboxRepository(session).record("whatsapp", "wamid.1", conv_id, [])


async def test_outbox_after_cursor_is_ordered(db: Database) -> None:
    conv_id = await _conversation(db)
    other_id = await _conversation(db, "b" * 64)
    async with db.transaction() as session:
        outbox = OutboxRepository(session)
        assert await outbox.latest_id(conv_id) == 0
        ids = []
        for n in range(5):
            body = {"text": f"m{n}", "buttons": [], "urgent": False}
            ids.append((await outbox.add(conv_id, "web", body)).id)
            await outbox.add(other_id, "web", {"text": "other"})

    async with db.transaction() as session:
        outbox = OutboxRepository(session)
        assert await outbox.latest_id(conv_id) == ids[-1]
        assert [m.body["text"] for m in await outbox.after(conv_id, 0)] == [
            "m0", "m1", "m2", "m3", "m4"
        ]  # fmt: skip
        assert [m.id for m in await outbox.after(conv_id, ids[1], limit=2)] == ids[2:4]
        assert await outbox.after(conv_id, ids[-1]) == []


async def test_outbox_pending_and_delivery(db: Database) -> None:
    conv_id = await _conversation(db)
    async with db.transaction() as session:
        outbox = OutboxRepository(session)
        first = await outbox.add(conv_id, "whatsapp", {"text": "1"})
        second = await outbox.add(conv_id, "whatsapp", {"text": "2"})
        await outbox.add(conv_id, "web", {"text": "web"}, status="delivered")

    async with db.transaction() as session:
        outbox = OutboxRepository(session)
        assert [m.id for m in await outbox.pending("whatsapp", 10)] == [first.id, second.id]
        await outbox.mark_delivered([first.id])
        await outbox.mark_failed([second.id], max_attempts=1)

    async with db.transaction() as session:
        outbox = OutboxRepository(session)
        assert await outbox.pending("whatsapp", 10) == []
        delivered, failed = await outbox.after(conv_id, 0, limit=2)
        assert (delivered.status, delivered.attempts) == ("delivered", 1)
        assert delivered.delivered_at is not None
        assert (failed.status, failed.attempts) == ("failed", 1)
