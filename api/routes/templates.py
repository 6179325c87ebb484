"""Reply templates: the four fixed ones (translated by the catalogs) and those admins
write, with a wording per shipped language (locales/languages.yaml). Sending one is
`POST /referrals/{id}/replies {"template": key}`, refused (409) when it has no wording in
the person's language.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, HTTPException, Path, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from api.auth import CallerDep
from api.casework.caller import Caller
from api.errors import ERRORS
from api.reply_templates import TemplateService, TemplateView
from api.staff_text import RequiredLine, StaffText

router = APIRouter(prefix="/api/v1/templates", tags=["templates"], responses=ERRORS)
TemplateKey = Annotated[str, Path(pattern=r"^[a-z0-9_-]{1,64}$")]
# Wordings in one template: more than the shipped languages (a code not shipped is a 422).
# The largest body this allows fits `relais.hardening.LARGER_BODIES["/api/v1/templates/"]`.
MAX_LANGUAGES: Final = 16


def _templates(request: Request, who: Caller) -> TemplateService:
    parts = request.app.state.services
    return TemplateService(parts.db, who, parts.engine.catalogs)


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Annotated[RequiredLine, Field(min_length=1, max_length=120)]
    texts: Annotated[
        dict[Annotated[str, Field(max_length=8)], Annotated[StaffText, Field(max_length=3000)]],
        Field(max_length=MAX_LANGUAGES),
    ]


class TemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    key: str
    title: str
    fixed: bool
    texts: dict[str, str]


@router.get("", response_model=list[TemplateOut])
async def list_templates(request: Request, who: CallerDep) -> list[TemplateView]:
    return await _templates(request, who).all()


@router.put("/{key}", response_model=TemplateOut)
async def put_template(
    request: Request, response: Response, who: CallerDep, key: TemplateKey, body: TemplateIn
) -> TemplateView:
    """Create or replace a template (admins). A language left out has no wording: the
    template is refused for the people who read it."""
    service = _templates(request, who)
    if unknown := service.unknown_languages(body.texts):
        raise HTTPException(422, f"not a shipped language: {', '.join(unknown)}")
    view, created = await service.put(key, body.title, body.texts)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return view


@router.delete("/{key}", status_code=204)
async def delete_template(request: Request, who: CallerDep, key: TemplateKey) -> None:
    await _templates(request, who).delete(key)
