"""The indicators' CSV export never hands a spreadsheet a formula (issue 20), and a web
chat source (which ends up in that export) starts with a letter or a digit."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from fastapi import FastAPI

from api.routes.stats import safe_cell
from storage import IntakeRepository

DANGEROUS = ["-A1", "=HYPERLINK(1)", "+1+1", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("source", ["-A1", "_a", ".a", "-poster.2"])
async def test_a_source_starts_with_a_letter_or_a_digit(
    client: httpx.AsyncClient, source: str
) -> None:
    refused = await client.post("/webchat/sessions", json={"source": source})
    assert refused.status_code == 422
    accepted = await client.post("/webchat/sessions", json={"source": "A1" + source[1:]})
    assert accepted.status_code == 201


def test_a_formula_cell_is_quoted_and_numbers_are_left_alone() -> None:
    assert [safe_cell(value) for value in DANGEROUS] == ["'" + value for value in DANGEROUS]
    assert [safe_cell(v) for v in ("poster", "a-1", "", 3, 2.5)] == ["poster", "a-1", "", 3, 2.5]


async def test_cells_of_the_csv_export_never_begin_a_formula(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    async with app.state.services.db.transaction() as session:
        for source in DANGEROUS:  # stored before sources were checked, or from elsewhere
            await IntakeRepository(session).add(
                theme="housing", lang="fr", channel="web", source=source
            )
    answer = await client.get("/api/v1/stats?format=csv", headers=admin_headers)
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.text, newline="")))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    sources = {row[1] for row in rows if row[0] == "intakes_by_source"}
    assert {"'" + value for value in DANGEROUS} <= sources
