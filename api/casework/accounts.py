"""Accounts: the tokens that may use the API, and each conseiller's duty settings.

Admins create, list, update and revoke tokens; a conseiller may read and update their
own account (another account is "not found" to them). A token is shown once, at its
creation, and stored hashed. A one-time code links an account to a Telegram chat.

Queues (teams) scope a conseiller inside their structure: the directory's roles, which
referrals are routed to, and the queues admins add. Admins put conseillers in queues and
set their load (`max_open`) and duty; `storage.assignment` deals new referrals by them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from api.casework.caller import Caller, audit
from api.casework.errors import Conflict, NotFound
from conversations.directory import Deployment
from storage import Database, TokenRepository
from storage.assignment import open_load
from storage.models import ApiToken, Queue
from storage.queues import QueueRepository

LINK_CODE_LIFETIME: Final = timedelta(minutes=15)


class AccountService:
    def __init__(self, db: Database, who: Caller, deployment: Deployment) -> None:
        self._db, self._who, self._deployment = db, who, deployment

    async def create(
        self, role: str, name: str | None, structure: str | None, days: int
    ) -> tuple[ApiToken, str]:
        """A new account (admins only) and its token in plain text, shown this once."""
        self._who.require_admin()
        if role == "conseiller" and structure not in self._deployment.organisations:
            raise NotFound("structure not found")
        expires = datetime.now(UTC) + timedelta(days=days)
        async with self._db.transaction() as session:
            tokens = TokenRepository(session)
            token = await tokens.create(role, name=name, structure=structure, expires_at=expires)
            account = await tokens.verify(token)
            assert account is not None
            await audit(session, self._who, "create", "token", account.id)
        return account, token

    async def all(self) -> list[ApiToken]:
        self._who.require_admin()
        async with self._db.transaction() as session:
            return await TokenRepository(session).all()

    async def me(self) -> ApiToken:
        async with self._db.transaction() as session:
            account = await TokenRepository(session).get(self._who.token_id)
        assert account is not None
        return account

    async def offer_chat_link(self) -> tuple[str, datetime]:
        """A one-time code to send as `/link CODE` to the bot, and until when it works."""
        code = f"{secrets.randbelow(10**8):08d}"
        expires = datetime.now(UTC) + LINK_CODE_LIFETIME
        async with self._db.transaction() as session:
            linked = await TokenRepository(session).offer_chat_link(
                self._who.token_id, code, expires
            )
            assert linked
            await audit(session, self._who, "telegram_link", "token", self._who.token_id)
        return code, expires

    async def update(self, token_id: int, changes: dict[str, Any]) -> ApiToken:
        """Change duty settings; a None value clears the e-mail and leaves the rest as is."""
        if self._who.role != "admin" and token_id != self._who.token_id:
            raise NotFound("token not found")
        kept = {k: v for k, v in changes.items() if v is not None or k == "email"}
        async with self._db.transaction() as session:
            if "queues" in kept:
                await self._check_queues(session, token_id, kept["queues"])
            account = await TokenRepository(session).update(token_id, kept)
            if account is None:
                raise NotFound("token not found")
            await audit(session, self._who, "update", "token", account.id)
        return account

    async def _check_queues(self, session: AsyncSession, token_id: int, queues: list[str]) -> None:
        """Only an admin sets queues, and only queues of the account's structure."""
        self._who.require_admin()
        account = await TokenRepository(session).get(token_id)
        if account is None:
            raise NotFound("token not found")
        known = await known_queues(session, self._deployment, account.structure)
        for queue_id in queues:
            if queue_id not in known:
                raise NotFound(f"queue not found in the account's structure: {queue_id}")

    async def revoke(self, token_id: int) -> None:
        self._who.require_admin()
        async with self._db.transaction() as session:
            if not await TokenRepository(session).revoke(token_id):
                raise NotFound("token not found or already revoked")
            await audit(session, self._who, "revoke", "token", token_id)


@dataclass(frozen=True)
class QueueView:
    id: str
    structure: str
    name: str
    from_directory: bool


@dataclass(frozen=True)
class MemberLoad:
    id: int
    name: str | None
    on_duty: bool
    max_open: int | None
    open_referrals: int


async def known_queues(
    session: AsyncSession, deployment: Deployment, structure: str | None
) -> dict[str, QueueView]:
    """A structure's queues (every structure's for None): the directory's roles that
    belong to it, and the queues admins added."""
    found = {
        role: QueueView(role, org, role, True)
        for role, org in deployment.roles.items()
        if structure is None or org == structure
    }
    for queue in await QueueRepository(session).of(structure):
        found[queue.id] = QueueView(queue.id, queue.structure, queue.name, False)
    return found


class QueueService:
    """The teams of a structure: admins manage them and their members; a conseiller reads
    their own structure's."""

    def __init__(self, db: Database, who: Caller, deployment: Deployment) -> None:
        self._db, self._who, self._deployment = db, who, deployment

    def _structure(self) -> str | None:
        return None if self._who.role == "admin" else self._who.structure

    async def all(self) -> list[QueueView]:
        async with self._db.transaction() as session:
            found = await known_queues(session, self._deployment, self._structure())
        return sorted(found.values(), key=lambda q: (q.structure, q.id))

    async def create(self, queue_id: str, structure: str, name: str) -> Queue:
        self._who.require_admin()
        if structure not in self._deployment.organisations:
            raise NotFound("structure not found")
        async with self._db.transaction() as session:
            if queue_id in await known_queues(session, self._deployment, None):
                raise Conflict("a queue with this id already exists")
            queue = await QueueRepository(session).add(queue_id, structure, name)
            await audit(session, self._who, "create", "queue", None, queue=queue_id)
        return queue

    async def delete(self, queue_id: str) -> None:
        self._who.require_admin()
        async with self._db.transaction() as session:
            queues = QueueRepository(session)
            queue = await queues.get(queue_id)
            if queue is None:
                if queue_id in self._deployment.roles:
                    raise Conflict("a queue of the directory is changed in the directory")
                raise NotFound("queue not found")
            await queues.remove(queue)
            await audit(session, self._who, "delete", "queue", None, queue=queue_id)

    async def members(self, queue_id: str) -> list[MemberLoad]:
        async with self._db.transaction() as session:
            await self._visible(session, queue_id)
            members = await QueueRepository(session).members(queue_id)
            load = await open_load(session, [m.id for m in members])
        return [MemberLoad(m.id, m.name, m.on_duty, m.max_open, load.get(m.id, 0)) for m in members]

    async def join(self, queue_id: str, token_id: int) -> None:
        self._who.require_admin()
        async with self._db.transaction() as session:
            queue = await self._visible(session, queue_id)
            account = await self._conseiller(session, token_id, queue.structure)
            await QueueRepository(session).join(account, queue_id)
            await audit(session, self._who, "join", "queue", token_id, queue=queue_id)

    async def leave(self, queue_id: str, token_id: int) -> None:
        self._who.require_admin()
        async with self._db.transaction() as session:
            await self._visible(session, queue_id)
            account = await TokenRepository(session).get(token_id)
            if account is None or not await QueueRepository(session).leave(account, queue_id):
                raise NotFound("this account is not a member of the queue")
            await audit(session, self._who, "leave", "queue", token_id, queue=queue_id)

    async def set_load(self, token_id: int, max_open: int | None) -> None:
        """How many open referrals the round robin may give a conseiller (None: no cap)."""
        self._who.require_admin()
        async with self._db.transaction() as session:
            account = await TokenRepository(session).get(token_id)
            if account is None or account.role != "conseiller":
                raise NotFound("no conseiller with this id")
            account.max_open = max_open
            await audit(session, self._who, "set_load", "token", token_id, max_open=max_open)

    async def _visible(self, session: AsyncSession, queue_id: str) -> QueueView:
        queue = (await known_queues(session, self._deployment, self._structure())).get(queue_id)
        if queue is None:
            raise NotFound("queue not found")
        return queue

    async def _conseiller(self, session: AsyncSession, token_id: int, structure: str) -> ApiToken:
        account = await TokenRepository(session).get(token_id)
        if account is None or account.revoked_at is not None:
            raise NotFound("token not found")
        if account.role != "conseiller":
            raise Conflict("only a conseiller joins a queue")
        if account.structure != structure:
            raise Conflict("this conseiller belongs to another structure")
        return account
