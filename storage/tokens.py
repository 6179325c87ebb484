"""API token repository: the accounts of the back-office API (admin / conseiller).

Only the SHA-256 of a token is stored; the plaintext is returned once by `create` and
cannot be recovered. A token is valid when neither revoked nor expired. An account also
carries its duty settings (on duty, queues, e-mail) and its linked Telegram chat.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ApiToken
from storage.types import utcnow

ROLES = frozenset({"admin", "conseiller"})
# Wrong `/link` codes (from any chat) after which a waiting code is void.
MAX_LINK_FAILURES: Final = 5
# Every token is `secrets.token_urlsafe(TOKEN_BYTES)`: 43 URL-safe base64 characters.
TOKEN_BYTES: Final = 32
_TOKEN_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]{43}")


def well_formed(token: str) -> bool:
    """Whether `token` has the shape of a token `create` returns (it may still be wrong)."""
    return _TOKEN_SHAPE.fullmatch(token) is not None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self,
        role: str,
        name: str | None = None,
        structure: str | None = None,
        expires_at: datetime | None = None,
    ) -> str:
        """Store a new token and return its plaintext (shown once)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self._session.add(
            ApiToken(
                name=name,
                role=role,
                structure=structure,
                token_hash=hash_token(token),
                created_at=utcnow(),
                expires_at=expires_at,
            )
        )
        await self._session.flush()
        return token

    async def verify(self, token: str, now: datetime | None = None) -> ApiToken | None:
        if not token:
            return None
        now = now or utcnow()
        stmt = select(ApiToken).where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
        return (await self._session.scalars(stmt)).first()

    async def revoke(self, token_id: int) -> bool:
        """Revoke a token; False if it does not exist or was already revoked."""
        stmt = (
            update(ApiToken)
            .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
            .execution_options(synchronize_session="fetch")
        )
        result = await self._session.execute(stmt)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def get(self, token_id: int) -> ApiToken | None:
        return await self._session.get(ApiToken, token_id)

    async def all(self) -> list[ApiToken]:
        return [*(await self._session.scalars(select(ApiToken).order_by(ApiToken.id))).all()]

    async def update(self, token_id: int, changes: dict[str, Any]) -> ApiToken | None:
        """Set the given account fields; None when there is no such token."""
        account = await self.get(token_id)
        if account is not None:
            for field, value in changes.items():
                setattr(account, field, value)
            await self._session.flush()
        return account

    async def on_duty(self, structure: str) -> Sequence[ApiToken]:
        """The structure's conseillers on duty whose token is not revoked."""
        stmt = select(ApiToken).where(
            ApiToken.role == "conseiller",
            ApiToken.structure == structure,
            ApiToken.on_duty.is_(True),
            ApiToken.revoked_at.is_(None),
        )
        return (await self._session.scalars(stmt)).all()

    async def offer_chat_link(self, token_id: int, code: str, expires_at: datetime) -> bool:
        """Give the account a one-time code to link a Telegram chat; False if it is gone."""
        account = await self.get(token_id)
        if account is None:
            return False
        account.telegram_link_code, account.telegram_link_expires_at = code, expires_at
        account.telegram_link_failures = 0
        await self._session.flush()
        return True

    async def link_chat(self, code: str, conversation_id: int, now: datetime) -> bool:
        """`/link CODE` from a chat: the account whose unexpired code it is gets this chat,
        and the code is used up. A wrong code counts against every code still waiting,
        from whatever chat it comes: after `MAX_LINK_FAILURES` a code is void, so guessing
        one is `MAX_LINK_FAILURES` tries in 10^8, not as many as a chat can send."""
        waiting = (
            ApiToken.telegram_link_code.is_not(None),
            ApiToken.telegram_link_expires_at > now,
            ApiToken.revoked_at.is_(None),
            ApiToken.telegram_link_failures < MAX_LINK_FAILURES,
        )
        stmt = select(ApiToken).where(*waiting, ApiToken.telegram_link_code == code)
        account = (await self._session.scalars(stmt)).first() if code else None
        if account is None:
            await self._session.execute(
                update(ApiToken)
                .where(*waiting)
                .values(telegram_link_failures=ApiToken.telegram_link_failures + 1)
                .execution_options(synchronize_session=False)
            )
            await self._session.execute(
                update(ApiToken)
                .where(ApiToken.telegram_link_failures >= MAX_LINK_FAILURES)
                .where(ApiToken.telegram_link_code.is_not(None))
                .values(telegram_link_code=None, telegram_link_expires_at=None)
                .execution_options(synchronize_session=False)
            )
            return False
        account.telegram_conversation_id = conversation_id
        account.telegram_link_code = None
        account.telegram_link_expires_at = None
        await self._session.flush()
        return True
