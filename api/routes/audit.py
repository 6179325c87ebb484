"""The audit log: who read or changed which case, and when (admins only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from api.auth import CallerDep, database
from api.errors import ERRORS, QueryId
from storage.audit import AuditRepository
from storage.models import AuditEntry

router = APIRouter(prefix="/api/v1", tags=["audit"], responses=ERRORS)


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    actor_id: int | None
    action: str
    resource: str
    resource_id: int | None
    detail: dict[str, Any]
    at: datetime


@router.get("/audit", response_model=list[AuditOut])
async def audit_log(
    request: Request,
    who: CallerDep,
    actor_id: QueryId | None = None,
    resource: Annotated[str | None, Query(max_length=32)] = None,
    resource_id: QueryId | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[AuditEntry]:
    who.require_admin()
    async with database(request).transaction() as session:
        return await AuditRepository(session).search(
            actor_id=actor_id,
            resource=resource,
            resource_id=resource_id,
            limit=limit,
            offset=offset,
        )
