"""Tokens (accounts) and structures: who may use the API, and the structures they serve.

Admins create, list, update and revoke tokens; a conseiller may read and update their
own duty settings. Tokens are shown once and stored hashed.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool
from sqlalchemy import select

from api.auth import Caller, CallerDep, database
from api.errors import ERRORS, RowId
from storage import TokenRepository, casework
from storage.models import ApiToken

router = APIRouter(prefix="/api/v1", tags=["accounts"], responses=ERRORS)


class AdminTokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["admin"]
    name: Annotated[str | None, Field(max_length=120)] = None
    days: Annotated[int, Field(ge=1, le=3650)] = 365


class ConseillerTokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["conseiller"]
    structure: Annotated[str, Field(min_length=1, max_length=64)]
    name: Annotated[str | None, Field(max_length=120)] = None
    days: Annotated[int, Field(ge=1, le=3650)] = 365


TokenIn = Annotated[AdminTokenIn | ConseillerTokenIn, Field(discriminator="role")]


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str | None
    role: str
    structure: str | None
    email: str | None
    on_duty: bool
    queues: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenOut(AccountOut):
    token: str


class AccountPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr | None = None
    on_duty: StrictBool | None = None
    queues: Annotated[list[Annotated[str, Field(max_length=64)]] | None, Field(max_length=20)] = (
        None
    )


class StructureOut(BaseModel):
    id: str
    name: str
    receives_referrals: bool
    roles: list[str]


def _admin(who: Caller) -> None:
    if who.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admin only")


@router.post("/tokens", response_model=TokenOut, status_code=201)
async def create_token(request: Request, who: CallerDep, body: TokenIn) -> dict[str, object]:
    _admin(who)
    deployment = request.app.state.services.engine.deployment
    structure = body.structure if isinstance(body, ConseillerTokenIn) else None
    if isinstance(body, ConseillerTokenIn) and structure not in deployment.organisations:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "structure not found")
    expires = datetime.now(UTC) + timedelta(days=body.days)
    async with database(request).transaction() as session:
        repo = TokenRepository(session)
        token = await repo.create(
            body.role, name=body.name, structure=structure, expires_at=expires
        )
        row = await repo.verify(token)
        assert row is not None
        await casework.audit(session, who.token_id, "create", "token", row.id)
        return {**AccountOut.model_validate(row).model_dump(), "token": token}


@router.get("/tokens", response_model=list[AccountOut])
async def list_tokens(request: Request, who: CallerDep) -> list[ApiToken]:
    _admin(who)
    async with database(request).transaction() as session:
        return list((await session.scalars(select(ApiToken).order_by(ApiToken.id))).all())


@router.get("/me", response_model=AccountOut)
async def me(request: Request, who: CallerDep) -> ApiToken:
    async with database(request).transaction() as session:
        row = await session.get(ApiToken, who.token_id)
        assert row is not None
        return row


class TelegramLinkOut(BaseModel):
    code: str
    expires_at: datetime
    send_to_the_bot: str


@router.post("/me/telegram-link", response_model=TelegramLinkOut, status_code=201)
async def telegram_link(request: Request, who: CallerDep) -> TelegramLinkOut:
    """A one-time code: send `/link CODE` to the Relais bot on Telegram within 15 minutes
    to receive your notifications there."""
    code = f"{secrets.randbelow(10**8):08d}"
    expires = datetime.now(UTC) + timedelta(minutes=15)
    async with database(request).transaction() as session:
        row = await session.get(ApiToken, who.token_id)
        assert row is not None
        row.telegram_link_code, row.telegram_link_expires_at = code, expires
        await casework.audit(session, who.token_id, "telegram_link", "token", row.id)
    return TelegramLinkOut(code=code, expires_at=expires, send_to_the_bot=f"/link {code}")


@router.patch("/tokens/{token_id}", response_model=AccountOut)
async def update_account(
    request: Request, who: CallerDep, token_id: RowId, body: AccountPatch
) -> ApiToken:
    if who.role != "admin" and token_id != who.token_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "token not found")
    async with database(request).transaction() as session:
        row = await session.get(ApiToken, token_id)
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "token not found")
        for field, value in body.model_dump(exclude_unset=True).items():
            if value is not None or field == "email":
                setattr(row, field, value)
        await casework.audit(session, who.token_id, "update", "token", row.id)
        return row


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke(request: Request, who: CallerDep, token_id: RowId) -> None:
    _admin(who)
    async with database(request).transaction() as session:
        if not await TokenRepository(session).revoke(token_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, "token not found or already revoked")
        await casework.audit(session, who.token_id, "revoke", "token", token_id)


@router.get("/structures", response_model=list[StructureOut])
async def structures(request: Request, who: CallerDep) -> list[StructureOut]:
    deployment = request.app.state.services.engine.deployment
    return [
        StructureOut(
            id=org.id,
            name=org.name,
            receives_referrals=org.receives_referrals,
            roles=sorted(r for r, o in deployment.roles.items() if o == org.id),
        )
        for org in deployment.organisations.values()
    ]
