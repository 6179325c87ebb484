"""The chat page for young people (also the bus tablet's kiosk, `/?kiosk=...`).

A static file from bot/webchat/static/; every sentence it shows comes from the catalogs
through `GET /webchat/ui?lang=xx`. The security headers (same-origin scripts only, no
framing) are added to every HTML answer by the app's hardening middleware.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse

from bot.webchat.strings import CHAT_STRINGS
from conversations.i18n import DEFAULT_LANGUAGE, Catalogs, PageStrings

STATIC: Final = Path(__file__).resolve().parent / "static"

router = APIRouter(tags=["pages"])


@router.get("/", include_in_schema=False)
async def chat_page() -> FileResponse:
    return FileResponse(
        STATIC / "chat.html", media_type="text/html", headers={"Cache-Control": "no-cache"}
    )


@router.get("/webchat/ui", response_model=PageStrings)
async def chat_ui(
    request: Request, lang: Annotated[str | None, Query(max_length=16)] = None
) -> PageStrings:
    """The chat page's own sentences in `lang` (e.g. `ar`, `fa-AF`, `en-GB`; French if
    not shipped), with the shipped languages' native names and text directions."""
    catalogs: Catalogs = request.app.state.services.engine.catalogs
    return catalogs.page_strings(catalogs.pick(lang) or DEFAULT_LANGUAGE, CHAT_STRINGS)
