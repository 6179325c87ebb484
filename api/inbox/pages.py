"""The conseillers' inbox page, `/inbox`, which talks only to the public admin API.

Static files from api/inbox/static/ (served under `/inbox/static/`); every sentence they
show comes from the catalogs through `GET /inbox/ui` (French: conseillers are French
speakers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from api.inbox.strings import INBOX_STRINGS
from conversations.i18n import DEFAULT_LANGUAGE, Catalogs, PageStrings

STATIC: Final = Path(__file__).resolve().parent / "static"
INBOX_LANGUAGE: Final = DEFAULT_LANGUAGE

router = APIRouter(tags=["pages"])


@router.get("/inbox", include_in_schema=False)
async def inbox_page() -> FileResponse:
    return FileResponse(
        STATIC / "inbox.html", media_type="text/html", headers={"Cache-Control": "no-cache"}
    )


@router.get("/inbox/ui", response_model=PageStrings)
async def inbox_ui(request: Request) -> PageStrings:
    """The inbox's sentences in French, with the shipped languages."""
    catalogs: Catalogs = request.app.state.services.engine.catalogs
    return catalogs.page_strings(INBOX_LANGUAGE, INBOX_STRINGS)
