"""Tokens (accounts) and structures: who may use the API, and the structures they serve.

Admins create, list, update and revoke tokens; a conseiller may read and update their
own duty settings (`api.casework.accounts`). Tokens are shown once and stored hashed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool

from api import deps
from api.auth import CallerDep
from api.errors import ERRORS, RowId
from api.staff_text import StaffLine
from storage.models import ApiToken

router = APIRouter(prefix="/api/v1", tags=["accounts"], responses=ERRORS)


class AdminTokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["admin"]
    name: Annotated[StaffLine | None, Field(max_length=120)] = None
    days: Annotated[int, Field(ge=1, le=3650)] = 365


class ConseillerTokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["conseiller"]
    structure: Annotated[str, Field(min_length=1, max_length=64)]
    name: Annotated[StaffLine | None, Field(max_length=120)] = None
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


class TelegramLinkOut(BaseModel):
    code: str
    expires_at: datetime
    send_to_the_bot: str


@router.post("/tokens", response_model=TokenOut, status_code=201)
async def create_token(request: Request, who: CallerDep, body: TokenIn) -> dict[str, object]:
    structure = body.structure if isinstance(body, ConseillerTokenIn) else None
    account, token = await deps.accounts(request, who).create(
        body.role, body.name, structure, body.days
    )
    return {**AccountOut.model_validate(account).model_dump(), "token": token}


@router.get("/tokens", response_model=list[AccountOut])
async def list_tokens(request: Request, who: CallerDep) -> list[ApiToken]:
    return await deps.accounts(request, who).all()


@router.get("/me", response_model=AccountOut)
async def me(request: Request, who: CallerDep) -> ApiToken:
    return await deps.accounts(request, who).me()


@router.post("/me/telegram-link", response_model=TelegramLinkOut, status_code=201)
async def telegram_link(request: Request, who: CallerDep) -> TelegramLinkOut:
    """A one-time code: send `/link CODE` to the Relais bot on Telegram within 15 minutes
    to receive your notifications there."""
    code, expires = await deps.accounts(request, who).offer_chat_link()
    return TelegramLinkOut(code=code, expires_at=expires, send_to_the_bot=f"/link {code}")


@router.patch("/tokens/{token_id}", response_model=AccountOut)
async def update_account(
    request: Request, who: CallerDep, token_id: RowId, body: AccountPatch
) -> ApiToken:
    changes = body.model_dump(exclude_unset=True)
    return await deps.accounts(request, who).update(token_id, changes)


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke(request: Request, who: CallerDep, token_id: RowId) -> None:
    await deps.accounts(request, who).revoke(token_id)


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
