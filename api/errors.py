"""Errors of the admin API: the casework's domain errors mapped to HTTP (here, and only
here), their documented responses, and strict query types shared by the API routers.

Every error body is `{"detail": "..."}` except request validation (422), whose body is
FastAPI's list of problems. Dates and datetimes in queries must be ISO 8601 strings:
pydantic's lax mode would otherwise read `day=0` as 1970-01-01.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Final

from fastapi import FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, BeforeValidator

from api.casework.errors import CaseworkError, Conflict, Forbidden, NotFound
from storage.types import MAX_ROW_ID


class ErrorOut(BaseModel):
    detail: str


def _described(text: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": text}


ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    400: _described("The body could not be parsed"),
    401: _described("Missing, invalid, expired or revoked bearer token"),
    403: _described("The token's role may not do this"),
    404: _described("Not found, or not visible to this token"),
    409: _described("The resource is not in a state that allows this"),
    # relais/hardening.py: every request body has a size limit.
    413: _described("The request body is too large"),
    429: _described("Too many failed authentications from this address (see Retry-After)"),
}
STATUS_OF: Final[dict[type[CaseworkError], int]] = {Forbidden: 403, NotFound: 404, Conflict: 409}


def install_error_mapping(app: FastAPI) -> None:
    """Answer the casework's domain errors with their status code and `{"detail": ...}`."""

    async def casework_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, CaseworkError)
        mapped = (STATUS_OF[kind] for kind in type(error).__mro__ if kind in STATUS_OF)
        code = next(mapped, 500)
        return JSONResponse({"detail": error.detail}, status_code=code)

    app.add_exception_handler(CaseworkError, casework_error)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_only(value: Any) -> Any:
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    if isinstance(value, date):
        return value
    raise ValueError("expected an ISO 8601 date, e.g. 2026-12-03 or 2026-12-03T14:00:00+01:00")


IsoDate = Annotated[date, BeforeValidator(_iso_only)]


def _aware(value: datetime) -> datetime:
    """A date or time without an offset ("2026-12-03") is read as UTC: the store compares
    aware times, and a naive one made these filters answer 500."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only), AfterValidator(_aware)]

MAX_ID: Final = MAX_ROW_ID
# Row ids in paths: positive and within a 32-bit integer column on every backend.
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int, Query(ge=1, le=MAX_ID)]
