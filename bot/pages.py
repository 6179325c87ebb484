"""The two web pages of `relais serve` and the translated strings they show.

`/` is the chat page for young people (also the bus tablet's kiosk, `/?kiosk=...`);
`/inbox` is the conseillers' inbox, which talks only to the public admin API. Both are
static files from bot/static/; every sentence they show comes from the catalogs through
`GET /webchat/ui?lang=xx` and `GET /inbox/ui` (French).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel

from bot.chat_strings import CHAT_STRINGS
from bot.inbox_strings import INBOX_STRINGS
from conversations.i18n import DEFAULT_LANGUAGE, Catalogs

STATIC: Final = Path(__file__).resolve().parent / "static"
INBOX_LANGUAGE: Final = "fr"
# Only our own files: no inline script, no third-party origin, no framing.
PAGE_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}

router = APIRouter(tags=["pages"])


class LanguageOut(BaseModel):
    code: str
    name: str
    direction: str


class PageUiOut(BaseModel):
    lang: str
    direction: str
    languages: list[LanguageOut]
    strings: dict[str, str]


def _catalogs(request: Request) -> Catalogs:
    catalogs: Catalogs = request.app.state.services.engine.catalogs
    return catalogs


def _ui(catalogs: Catalogs, lang: str, strings: dict[str, str]) -> PageUiOut:
    return PageUiOut(
        lang=lang,
        direction=catalogs.direction(lang),
        languages=[LanguageOut(**asdict(language)) for language in catalogs.languages],
        strings={key: catalogs.gettext(lang, msgid) for key, msgid in strings.items()},
    )


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC / name, media_type="text/html", headers=PAGE_HEADERS)


@router.get("/", include_in_schema=False)
async def chat_page() -> FileResponse:
    return _page("chat.html")


@router.get("/inbox", include_in_schema=False)
async def inbox_page() -> FileResponse:
    return _page("inbox.html")


@router.get("/webchat/ui", response_model=PageUiOut)
async def chat_ui(
    request: Request, lang: Annotated[str | None, Query(max_length=16)] = None
) -> PageUiOut:
    """The chat page's own sentences in `lang` (e.g. `ar`, `fa-AF`, `en-GB`; French if
    not shipped), with the shipped languages' native names and text directions."""
    catalogs = _catalogs(request)
    return _ui(catalogs, catalogs.pick(lang) or DEFAULT_LANGUAGE, CHAT_STRINGS)


@router.get("/inbox/ui", response_model=PageUiOut)
async def inbox_ui(request: Request) -> PageUiOut:
    """The inbox's sentences (French: conseillers are French speakers)."""
    return _ui(_catalogs(request), INBOX_LANGUAGE, INBOX_STRINGS)
