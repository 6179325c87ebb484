"""Documented error responses and strict query types shared by the API routers.

Every error body is `{"detail": "..."}` except request validation (422), whose body is
FastAPI's list of problems. Dates and datetimes in queries must be ISO 8601 strings:
pydantic's lax mode would otherwise read `day=0` as 1970-01-01.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Final

from fastapi import Path, Query
from pydantic import BaseModel, BeforeValidator

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
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_only(value: Any) -> Any:
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    if isinstance(value, date):
        return value
    raise ValueError("expected an ISO 8601 date, e.g. 2026-12-03 or 2026-12-03T14:00:00+01:00")


IsoDate = Annotated[date, BeforeValidator(_iso_only)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only)]

MAX_ID: Final = MAX_ROW_ID
# Row ids in paths: positive and within a 32-bit integer column on every backend.
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int, Query(ge=1, le=MAX_ID)]
