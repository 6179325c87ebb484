"""Indicators for the activity reports (JSON or CSV), over a period or a calendar year.

The figures are `storage.stats` (see there what each one counts); a conseiller's are
their structure's (`api.casework.stats`, audited). This route picks the period, the
structure and the format. With `year`, the answer adds the seeds' yearly tables
(`storage/stats_tables.py`) under `tables`, and the CSV is those tables, one cell a line
(table, row, column, value). A year before `FIRST_YEAR` or after this one, or a year with
from/to, is a 422 naming `year`. In the CSV, a cell that a spreadsheet would take for a
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


def _check_year(year: int, period_given: bool) -> None:
    """A 422 shaped like FastAPI's own validation errors, naming the `year` query."""
    problem = None
    if period_given:
        problem = "give either year or from/to, not both"
    elif not FIRST_YEAR <= year <= utcnow().year:
        problem = f"year must be between {FIRST_YEAR} and {utcnow().year}"
    if problem:
        where = ("query", "year")
        raise RequestValidationError(
            [{"type": "value_error", "loc": where, "msg": problem, "input": year}]
        )


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
    year: Annotated[int | None, Query(ge=1, le=9999)] = None,
    structure: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> dict[str, Any] | Response:
    service = deps.stats(request, who)
    if year is not None:
        _check_year(year, date_from is not None or date_to is not None)
        figures = await service.yearly(year, format, structure)
        if format == "csv":
            return PlainTextResponse(_tables_csv(figures["tables"]), media_type="text/csv")
        return figures
    end = date_to or utcnow()
    start = date_from or end - timedelta(days=365)
    figures = await service.indicators(start, end, format, structure)
    if format == "csv":
        return PlainTextResponse(_csv(figures), media_type="text/csv")
    return figures
