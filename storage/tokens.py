"""API token repository: bearer tokens for the back-office API (admin / conseiller).

Only the SHA-256 of a token is stored; the plaintext is returned once by `create` and
cannot be recovered. A token is valid when neither revoked nor expired.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ApiToken
from storage.types import utcnow

ROLES = frozenset({"admin", "conseiller"})


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
        token = secrets.token_urlsafe(32)
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
