"""The audit log: who read or changed which case, and when (admins only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from api.auth import CallerDep, database
from api.errors import ERRORS, QueryId
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
    if who.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admin only")
    filters = []
    if actor_id is not None:
        filters.append(AuditEntry.actor_id == actor_id)
    if resource:
        filters.append(AuditEntry.resource == resource)
    if resource_id is not None:
        filters.append(AuditEntry.resource_id == resource_id)
    stmt = select(AuditEntry).where(*filters).order_by(AuditEntry.id.desc())
    async with database(request).transaction() as session:
        return list((await session.scalars(stmt.limit(limit).offset(offset))).all())
