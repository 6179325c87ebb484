"""The web chat's documented error answers (its OpenAPI `responses`)."""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel


class ErrorOut(BaseModel):
    detail: str


def _described(text: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": text}


PUBLIC_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    400: _described("The body could not be parsed"),
    404: _described("Not found"),
    # relais/hardening.py: body size and rate limits of the public endpoints.
    413: _described("The request body is too large"),
    429: _described("Too many requests; wait for the Retry-After seconds"),
}
