"""GET /api/v1/stats/yearly?year=&structure=: the seeds' tables over HTTP, their CSV, the
refusals (422 year, 404 structure, 403 another structure for a conseiller), and closing
a referral with an outcome of the seeds' list and its aid; on the real app and database.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from storage import (
    ConversationRepository,
    Database,
    IntakeRepository,
    ReferralRepository,
    TokenRepository,
)
from storage.types import utcnow

YEAR = 2025
AT = datetime(YEAR, 5, 2, 10, 0, tzinfo=UTC)


async def _case(db: Database, key: int, structure: str, **facts: Any) -> int:
    async with db.transaction() as session:
        conversation = await ConversationRepository(session).create(f"{key:064d}", "web", "fr", {})
        intake = await IntakeRepository(session).add(
            conversation_id=conversation.id,
            theme="work",
            lang="fr",
            channel="web",
            created_at=AT,
            **facts,
        )
        referral = await ReferralRepository(session).add(
            intake_id=intake.id,
            conversation_id=conversation.id,
            theme="work",
            reason="journey",
            structure=structure,
            lang="fr",
            created_at=AT,
        )
        return referral.id


async def _conseiller(db: Database, structure: str) -> dict[str, str]:
    async with db.transaction() as session:
        token = await TokenRepository(session).create("conseiller", name="Awa", structure=structure)
    return {"Authorization": f"Bearer {token}"}


async def _close(
    client: httpx.AsyncClient, headers: dict[str, str], rid: int, **body: Any
) -> httpx.Response:
    return await client.patch(
        f"/api/v1/referrals/{rid}", json={"status": "closed", **body}, headers=headers
    )


def _table_cells(tables: dict[str, dict[str, dict[str, Any]]]) -> list[list[str]]:
    return [
        [table, row, column, "" if value is None else str(value)]
        for table, rows in tables.items()
        for row, cells in rows.items()
        for column, value in cells.items()
    ]


async def test_year_tables_for_a_structure_and_their_csv(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    db = app.state.services.db
    woman = await _case(db, 1, "ml-cmv", gender="woman", known_to_ml="no", qpv_resident=True)
    await _case(db, 2, "ml-cmv", gender="man", known_to_ml="yes", statuses=["bpi"])
    await _case(db, 3, "cecler", gender="man", known_to_ml="no")
    aid = {"fund": "fmaj", "purpose": "subsistence", "amount_eur": "120.50"}
    closed = await _close(client, admin_headers, woman, outcome="alternance", aid=aid)
    assert closed.status_code == 200, closed.text
    assert closed.json()["outcome"] == "alternance"

    asked = {"year": str(utcnow().year), "structure": "ml-cmv"}
    figures = (await client.get("/api/v1/stats/yearly", params=asked, headers=admin_headers)).json()
    assert (figures["year"], figures["structure"]) == (utcnow().year, "ml-cmv")
    assert "referrals_by_theme" in figures  # the earlier fields are still there
    tables = figures["tables"]
    # The cases were made in 2025, the closing now: each counts in its own year.
    assert tables["outcomes"]["alternance"] == {
        "referrals": 1,
        "qpv": 1,
        "qpv_share": 100.0,
        "bpi": 0,
    }
    assert tables["aid_by_fund"]["fmaj"] == {"aids": 1, "amount_eur": 120.5}
    assert tables["aid_by_purpose"]["subsistence"] == {"aids": 1, "amount_eur": 120.5}

    asked["year"] = str(YEAR)
    figures = (await client.get("/api/v1/stats/yearly", params=asked, headers=admin_headers)).json()
    tables = figures["tables"]
    assert tables["people"]["accompanied"]["total"] == 2
    assert tables["people"]["first_welcomes"]["women"] == 1
    assert tables["gender"]["man"] == {"count": 1, "share": 50.0}
    assert tables["qpv"]["yes"] == {"count": 1, "share": 50.0}
    assert tables["known_to_ml"]["known"] == {"count": 1, "share": 50.0}
    assert tables["ctai"]["bpi"] == {"total": 1, "men": 1, "women": 0, "under_26": 0}
    assert tables["themes"] == {"work": {"referrals": 2}}

    exported = await client.get(
        "/api/v1/stats/yearly", params={**asked, "format": "csv"}, headers=admin_headers
    )
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0] == ["table", "row", "column", "value"]
    assert rows[1:] == _table_cells(tables)


async def test_closing_refuses_what_is_not_in_the_seeds_lists(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    rid = await _case(app.state.services.db, 1, "ml-cmv")
    refusals = [
        ({"outcome": "happy"}, ["body", "closed", "outcome"]),
        ({"outcome": "employment", "aid": {"fund": "lottery"}}, ["body", "closed", "aid", "fund"]),
        (
            {"outcome": "aid_granted", "aid": {"fund": "flu", "purpose": "holiday"}},
            ["body", "closed", "aid", "purpose"],
        ),
        (
            {"outcome": "aid_granted", "aid": {"fund": "flu", "amount_eur": -1}},
            ["body", "closed", "aid", "amount_eur"],
        ),
        (
            {"outcome": "aid_granted", "aid": {"fund": "flu", "amount_eur": "10.555"}},
            ["body", "closed", "aid", "amount_eur"],
        ),
        (
            {"outcome": "aid_granted", "aid": {"purpose": "housing"}},
            ["body", "closed", "aid", "fund"],
        ),
    ]
    for body, where in refusals:
        refused = await _close(client, admin_headers, rid, **body)
        assert refused.status_code == 422, body
        assert [e["loc"] for e in refused.json()["detail"]] == [where], body


async def test_a_reopened_referral_loses_its_aid(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    rid = await _case(app.state.services.db, 1, "ml-cmv")
    aid = {"fund": "flu", "amount_eur": 50}
    assert (await _close(client, admin_headers, rid, outcome="aid_granted", aid=aid)).is_success
    year = {"year": str(utcnow().year)}

    async def fund() -> dict[str, Any]:
        got = await client.get("/api/v1/stats/yearly", params=year, headers=admin_headers)
        cells: dict[str, Any] = got.json()["tables"]["aid_by_fund"]["flu"]
        return cells

    assert await fund() == {"aids": 1, "amount_eur": 50.0}
    reopened = await client.patch(
        f"/api/v1/referrals/{rid}", json={"status": "in_progress"}, headers=admin_headers
    )
    assert reopened.status_code == 200
    assert await fund() == {"aids": 0, "amount_eur": 0.0}


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"year": "2019"}, "year must be between 2020 and"),
        ({"year": str(utcnow().year + 1)}, "year must be between 2020 and"),
        ({"year": "abc"}, "valid integer"),
    ],
)
async def test_a_bad_year_is_a_422_naming_it(
    client: httpx.AsyncClient, admin_headers: dict[str, str], params: dict[str, str], problem: str
) -> None:
    refused = await client.get("/api/v1/stats/yearly", params=params, headers=admin_headers)
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert error["loc"] == ["query", "year"]
    assert problem in error["msg"]


async def test_structures_a_caller_may_not_ask_for(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    db = app.state.services.db
    await _case(db, 1, "ml-cmv", gender="woman")
    await _case(db, 2, "cecler", gender="man")
    unknown = await client.get(
        "/api/v1/stats/yearly",
        params={"year": "2025", "structure": "nowhere"},
        headers=admin_headers,
    )
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"detail": "structure not found: nowhere"},
    )

    conseiller = await _conseiller(db, "ml-cmv")
    other = await client.get(
        "/api/v1/stats/yearly", params={"year": "2025", "structure": "cecler"}, headers=conseiller
    )
    assert other.status_code == 403
    assert other.json() == {"detail": "a conseiller sees only their own structure's indicators"}
    for params in ({"year": "2025"}, {"year": "2025", "structure": "ml-cmv"}):
        mine = (await client.get("/api/v1/stats/yearly", params=params, headers=conseiller)).json()
        assert mine["structure"] == "ml-cmv"
        assert mine["tables"]["gender"]["woman"]["count"] == 1
        assert mine["tables"]["gender"]["man"]["count"] == 0
