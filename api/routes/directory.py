"""The services directory: read it, and (admins) replace it without a restart.

A new document is parsed and checked like at start-up (unknown roles, places…); if it
is sound it is saved to var/services.yaml, which wins over the shipped file from then
on, and the running engine switches to it. Other worker processes pick it up at their
next restart.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field

from api.auth import CallerDep, database
from api.errors import ERRORS
from conversations.directory import DirectoryError, parse_directory
from storage import casework

router = APIRouter(prefix="/api/v1", tags=["directory"], responses=ERRORS)


class DirectoryOut(BaseModel):
    deployment: str
    yaml: str


class DirectoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    yaml: Annotated[str, Field(min_length=1, max_length=2_000_000)]


@router.get("/directory", response_model=DirectoryOut)
async def read_directory(request: Request, who: CallerDep) -> DirectoryOut:
    settings = request.app.state.services.settings
    text = await asyncio.to_thread(settings.directory_file().read_text, encoding="utf-8")
    return DirectoryOut(deployment=settings.deployment, yaml=text)


@router.put("/directory", response_model=DirectoryOut)
async def replace_directory(request: Request, who: CallerDep, body: DirectoryIn) -> DirectoryOut:
    if who.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admin only")
    services = request.app.state.services
    settings = services.settings
    try:
        deployment = parse_directory(body.yaml, settings.deployment)
    except DirectoryError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, f"directory refused: {error}") from None
    target = settings.var_dir / "services.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(target.write_text, body.yaml, encoding="utf-8")
    services.switch_directory(deployment)
    async with database(request).transaction() as session:
        await casework.audit(session, who.token_id, "replace", "directory", None)
    return DirectoryOut(deployment=settings.deployment, yaml=body.yaml)
