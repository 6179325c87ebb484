"""Bearer-token authentication: tokens are stored hashed, expire and can be revoked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from storage import Database, TokenRepository

bearer = HTTPBearer(auto_error=False, description="Token from `relais admin create-token`")


@dataclass(frozen=True)
class Caller:
    token_id: int
    role: str
    structure: str | None


def database(request: Request) -> Database:
    db: Database = request.app.state.services.db
    return db


async def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    async with database(request).transaction() as session:
        token = await TokenRepository(session).verify(credentials.credentials)
    if token is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "invalid, expired or revoked token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Caller(token.id, token.role, token.structure)


CallerDep = Annotated[Caller, Depends(caller)]
