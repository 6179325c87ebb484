"""Bearer-token authentication: tokens are stored hashed, expire and can be revoked.

A wrong token counts against the client's address (api/login_limits.py): past the limit
the address gets 429 with Retry-After instead of 401, and its tokens are not looked at.
A missing or malformed token (not the shape `relais admin create-token` gives) is a 401
before anything else: it cannot be a right guess, so it is neither counted nor refused.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.casework.caller import Caller
from api.login_limits import FailedLogins
from storage import Database, TokenRepository
from storage.tokens import well_formed

bearer = HTTPBearer(auto_error=False, description="Token from `relais admin create-token`")


def database(request: Request) -> Database:
    db: Database = request.app.state.services.db
    return db


def _too_many(seconds: int) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        "too many failed authentications from this address; try again later",
        headers={"Retry-After": str(max(seconds, 1))},
    )


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
    )


async def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("a bearer token is required")
    if not well_formed(credentials.credentials):
        raise _unauthorized("invalid, expired or revoked token")
    failures: FailedLogins | None = getattr(request.app.state.services, "failed_logins", None)
    address = request.client.host if request.client else "unknown"
    if failures is not None and (left := failures.refused_for(address)):
        raise _too_many(left)
    async with database(request).transaction() as session:
        token = await TokenRepository(session).verify(credentials.credentials)
    if token is None:
        if failures is not None and (wait := await failures.failed(address, "bad token")):
            raise _too_many(wait)
        raise _unauthorized("invalid, expired or revoked token")
    return Caller(token.id, token.role, token.structure)


CallerDep = Annotated[Caller, Depends(caller)]
