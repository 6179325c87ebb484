"""Indicators for the activity reports (JSON or CSV), over a period.

The figures are `storage.stats` (see there what each one counts); a conseiller's are
their structure's (`api.casework.stats`, audited). This route picks the period and the
format. In the CSV, a cell that a spreadsheet would take for a formula (it begins with
`=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with a single quote.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from api import deps
from api.auth import CallerDep
from api.errors import ERRORS, IsoDateTime
from storage.types import utcnow

router = APIRouter(prefix="/api/v1", tags=["indicators"], responses=ERRORS)
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A text cell a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(figures: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicator", "key", "value"])
    for name, value in figures.items():
        if isinstance(value, dict):
            for key, count in value.items():
                writer.writerow([safe_cell(name), safe_cell(key), safe_cell(count)])
        else:
            writer.writerow([safe_cell(name), "", "" if value is None else safe_cell(value)])
    return out.getvalue()


@router.get(
    "/stats",
    response_model=None,
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
async def stats(
    request: Request,
    who: CallerDep,
    date_from: Annotated[IsoDateTime | None, Query(alias="from")] = None,
    date_to: Annotated[IsoDateTime | None, Query(alias="to")] = None,
    format: Literal["json", "csv"] = "json",
) -> dict[str, Any] | Response:
    end = date_to or utcnow()
    start = date_from or end - timedelta(days=365)
    figures = await deps.stats(request, who).indicators(start, end, format)
    if format == "csv":
        return PlainTextResponse(_csv(figures), media_type="text/csv")
    return figures
