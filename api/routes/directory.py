"""The services directory: read it, and (admins) replace it without a restart.

A new document is checked like at start-up and must be sound to be served
(`api.casework.directory`): every refusal is a 409 with a one-line reason. Other worker
processes pick it up at their next restart. Conseillers read it with the webhook URLs
hidden.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from api import deps
from api.auth import CallerDep
from api.errors import ERRORS

router = APIRouter(prefix="/api/v1", tags=["directory"], responses=ERRORS)


class DirectoryOut(BaseModel):
    deployment: str
    yaml: str


class DirectoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    yaml: Annotated[str, Field(min_length=1, max_length=2_000_000)]


@router.get("/directory", response_model=DirectoryOut)
async def read_directory(request: Request, who: CallerDep) -> DirectoryOut:
    text = await deps.directory(request, who).read()
    return DirectoryOut(deployment=request.app.state.services.settings.deployment, yaml=text)


@router.put("/directory", response_model=DirectoryOut)
async def replace_directory(request: Request, who: CallerDep, body: DirectoryIn) -> DirectoryOut:
    await deps.directory(request, who).replace(body.yaml)
    return DirectoryOut(deployment=request.app.state.services.settings.deployment, yaml=body.yaml)
