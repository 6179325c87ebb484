"""Accounts and the audit log in storage: duty settings, who is on duty, linking a chat
with a one-time code, and searching the audit log; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import AuditRepository, ConversationRepository, Database, TokenRepository

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def _account(db: Database, role: str = "conseiller", structure: str = "ml-cmv") -> int:
    async with db.transaction() as session:
        tokens = TokenRepository(session)
        account = await tokens.verify(await tokens.create(role, structure=structure))
        assert account is not None
        return account.id


async def test_update_and_list_accounts(db: Database) -> None:
    first, second = await _account(db), await _account(db, "admin")
    async with db.transaction() as session:
        tokens = TokenRepository(session)
        updated = await tokens.update(first, {"on_duty": True, "email": "a@ml.example"})
        assert updated is not None and updated.on_duty and updated.email == "a@ml.example"
        assert await tokens.update(999, {"on_duty": True}) is None
    async with db.transaction() as session:
        tokens = TokenRepository(session)
        assert [a.id for a in await tokens.all()] == [first, second]
        again = await tokens.get(first)
        assert again is not None and again.email == "a@ml.example"


async def test_on_duty_are_the_structures_active_conseillers(db: Database) -> None:
    on, _off_duty, elsewhere, revoked = [await _account(db) for _ in range(4)]
    async with db.transaction() as session:
        tokens = TokenRepository(session)
        for account in (on, elsewhere, revoked):
            await tokens.update(account, {"on_duty": True})
        await tokens.update(elsewhere, {"structure": "cecler"})
        await tokens.revoke(revoked)
    async with db.transaction() as session:
        assert [a.id for a in await TokenRepository(session).on_duty("ml-cmv")] == [on]
        assert [a.id for a in await TokenRepository(session).on_duty("cecler")] == [elsewhere]


async def test_a_chat_is_linked_once_with_an_unexpired_code(db: Database) -> None:
    account = await _account(db)
    async with db.transaction() as session:
        chat = await ConversationRepository(session).create("c" * 64, "telegram", "fr", {})
        tokens = TokenRepository(session)
        assert await tokens.offer_chat_link(account, "12345678", T0 + timedelta(minutes=15))
        assert not await tokens.offer_chat_link(999, "87654321", T0)
    async with db.transaction() as session:
        tokens = TokenRepository(session)
        assert not await tokens.link_chat("12345678", chat.id, T0 + timedelta(minutes=16))
        assert not await tokens.link_chat("", chat.id, T0)
        assert await tokens.link_chat("12345678", chat.id, T0)
        assert not await tokens.link_chat("12345678", chat.id, T0)  # used up
    async with db.transaction() as session:
        linked = await TokenRepository(session).get(account)
    assert linked is not None and linked.telegram_conversation_id == chat.id
    assert linked.telegram_link_code is None


async def test_audit_search_filters_and_pages_newest_first(db: Database) -> None:
    async with db.transaction() as session:
        audit = AuditRepository(session)
        await audit.record(1, "read", "referral", 10)
        await audit.record(2, "claim", "referral", 10)
        await audit.record(1, "list", "referral", None, count=3)
        await audit.record(1, "create", "token", 10)
    async with db.transaction() as session:
        audit = AuditRepository(session)
        every = await audit.search()
        assert [e.action for e in every] == ["create", "list", "claim", "read"]
        assert every[1].detail == {"count": 3} and every[0].detail == {}
        mine = await audit.search(actor_id=1, resource="referral")
        assert [e.action for e in mine] == ["list", "read"]
        on_ten = await audit.search(resource_id=10, limit=2, offset=1)
        assert [e.action for e in on_ten] == ["claim", "read"]
