"""Indicators for the activity reports (JSON or CSV), over a period or a calendar year.

The figures are `storage.stats` (see there what each one counts); a conseiller's are
their structure's (`api.casework.stats`, audited). This route picks the period, the
structure and the format. `/stats/yearly?year=` adds the seeds' yearly tables
(`storage/stats_tables.py`) under `tables`, and its CSV is those tables, one cell a line
(table, row, column, value); a year before `FIRST_YEAR` or after this one is a 422 naming
`year`. (A route of its own, so that no valid-looking mix of year and from/to exists.)
In the CSV, a cell that a spreadsheet would take for a
formula (it begins with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with
a single quote.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response

from api import deps
from api.auth import CallerDep
from api.errors import ERRORS, IsoDateTime
from storage.types import utcnow

router = APIRouter(prefix="/api/v1", tags=["indicators"], responses=ERRORS)
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
FIRST_YEAR: Final = 2020


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


def _tables_csv(tables: dict[str, dict[str, dict[str, Any]]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "row", "column", "value"])
    for table, rows in tables.items():
        for row, cells in rows.items():
            for column, value in cells.items():
                cell = "" if value is None else value
                writer.writerow([safe_cell(table), safe_cell(row), safe_cell(column), cell])
    return out.getvalue()


def _check_year(year: int) -> None:
    """A 422 shaped like FastAPI's own validation errors, naming the `year` query."""
    if not FIRST_YEAR <= year <= utcnow().year:
        problem = f"year must be between {FIRST_YEAR} and {utcnow().year}"
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("query", "year"), "msg": problem, "input": year}]
        )


CONTENT: Final = {200: {"content": {"application/json": {}, "text/csv": {}}}}
Structure = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]


@router.get("/stats", response_model=None, responses=CONTENT)
async def stats(
    request: Request,
    who: CallerDep,
    date_from: Annotated[IsoDateTime | None, Query(alias="from")] = None,
    date_to: Annotated[IsoDateTime | None, Query(alias="to")] = None,
    format: Literal["json", "csv"] = "json",
    structure: Structure = None,
) -> dict[str, Any] | Response:
    service = deps.stats(request, who)
    end = date_to or utcnow()
    start = date_from or end - timedelta(days=365)
    figures = await service.indicators(start, end, format, structure)
    if format == "csv":
        return PlainTextResponse(_csv(figures), media_type="text/csv")
    return figures


@router.get("/stats/yearly", response_model=None, responses=CONTENT)
async def yearly_stats(
    request: Request,
    who: CallerDep,
    year: Annotated[
        int, Query(json_schema_extra={"minimum": FIRST_YEAR, "maximum": utcnow().year})
    ],
    format: Literal["json", "csv"] = "json",
    structure: Structure = None,
) -> dict[str, Any] | Response:
    _check_year(year)
    figures = await deps.stats(request, who).yearly(year, format, structure)
    if format == "csv":
        return PlainTextResponse(_tables_csv(figures["tables"]), media_type="text/csv")
    return figures
