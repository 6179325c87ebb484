"""Who is acting: the account behind a request, what it may see, and the audit trail of
what it does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.casework.errors import Forbidden
from storage.audit import AuditRepository
from storage.referrals import EVERY_STRUCTURE, Scope


@dataclass(frozen=True)
class Caller:
    token_id: int
    role: str
    structure: str | None

    @property
    def scope(self) -> Scope:
        """Admins see every structure's referrals; a conseiller, their structure's. Rows
        that belong to a structure through the directory (appointments, openings,
        closures) need `api.casework.scoping.scope_of`: this scope sees none of them."""
        return EVERY_STRUCTURE if self.role == "admin" else Scope(self.structure)

    def require_admin(self) -> None:
        if self.role != "admin":
            raise Forbidden("admin only")


async def audit(
    session: AsyncSession,
    who: Caller,
    action: str,
    resource: str,
    resource_id: int | None,
    **detail: Any,
) -> None:
    """Write in the audit log, in the session's transaction, that `who` did `action`."""
    await AuditRepository(session).record(who.token_id, action, resource, resource_id, **detail)
