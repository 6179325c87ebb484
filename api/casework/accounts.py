"""Accounts: the tokens that may use the API, and each conseiller's duty settings.

Admins create, list, update and revoke tokens; a conseiller may read and update their
own account (another account is "not found" to them). A token is shown once, at its
creation, and stored hashed. A one-time code links an account to a Telegram chat.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from api.casework.caller import Caller, audit
from api.casework.errors import NotFound
from conversations.directory import Deployment
from storage import Database, TokenRepository
from storage.models import ApiToken

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
            account = await TokenRepository(session).update(token_id, kept)
            if account is None:
                raise NotFound("token not found")
            await audit(session, self._who, "update", "token", account.id)
        return account

    async def revoke(self, token_id: int) -> None:
        self._who.require_admin()
        async with self._db.transaction() as session:
            if not await TokenRepository(session).revoke(token_id):
                raise NotFound("token not found or already revoked")
            await audit(session, self._who, "revoke", "token", token_id)
