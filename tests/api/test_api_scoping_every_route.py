"""Every admin route, walked with conseiller A's token (structure ml-cmv) against
conseiller B's objects (structure cecler): 403 or 404, never 200 with B's data (issue 20).

The routes are read from the app's OpenAPI schema: a new route without a row in `ROWS`
fails this test until someone says what A may do with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from conversations.directory import DEFAULT_DIRECTORY
from relais.settings import Settings
from support.structures import B_PLACE, B_SERVICE, World, b_world

DENIED = "denied"  # 403 or 404
ALLOWED = "allowed"  # 2xx, without any of B's data


@dataclass(frozen=True)
class Probe:
    expect: str
    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    # The kind of B's object a list answer must not hold (by id).
    lists: str | None = None


def _at(world: World, days: int, hour: int = 10) -> str:
    """A time `days` after B's appointment's day."""
    day = date.fromisoformat(world.appointment_day) + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00:00+01:00"


ROWS: dict[tuple[str, str], Callable[[World], Probe]] = {
    # Referrals and what hangs on them.
    ("GET", "/api/v1/referrals"): lambda w: Probe(ALLOWED, lists="referral"),
    ("GET", "/api/v1/referrals/{referral_id}"): lambda w: Probe(
        DENIED, {"referral_id": w.referral}
    ),
    ("PATCH", "/api/v1/referrals/{referral_id}"): lambda w: Probe(
        DENIED, {"referral_id": w.referral}, body={"status": "in_progress"}
    ),
    ("POST", "/api/v1/referrals/{referral_id}/claim"): lambda w: Probe(
        DENIED, {"referral_id": w.referral}
    ),
    ("POST", "/api/v1/referrals/{referral_id}/assign"): lambda w: Probe(
        DENIED, {"referral_id": w.referral}, body={"conseiller_id": w.a.id}
    ),
    ("POST", "/api/v1/referrals/{referral_id}/transfer"): lambda w: Probe(
        DENIED, {"referral_id": w.referral}, body={"structure": "ml-cmv"}
    ),
    ("GET", "/api/v1/referrals/{referral_id}/notes"): lambda w: Probe(
        DENIED, {"referral_id": w.referral}
    ),
    ("POST", "/api/v1/referrals/{referral_id}/notes"): lambda w: Probe(
        DENIED, {"referral_id": w.referral}, body={"body": "A was here"}
    ),
    ("POST", "/api/v1/referrals/{referral_id}/replies"): lambda w: Probe(
        DENIED, {"referral_id": w.referral}, body={"text": "A was here"}
    ),
    ("GET", "/api/v1/referrals/{referral_id}/messages"): lambda w: Probe(
        DENIED, {"referral_id": w.referral}
    ),
    ("GET", "/api/v1/referrals/{referral_id}/readable"): lambda w: Probe(
        DENIED, {"referral_id": w.referral}
    ),
    ("GET", "/api/v1/exports/referrals"): lambda w: Probe(ALLOWED),
    ("POST", "/api/v1/referrals/{referral_id}/appointments"): lambda w: Probe(
        DENIED, {"referral_id": w.referral}, body={"slot_key": "{first_free_slot}"}
    ),
    ("GET", "/api/v1/intakes"): lambda w: Probe(ALLOWED, lists="intake"),
    # Appointments and agendas.
    ("GET", "/api/v1/appointments"): lambda w: Probe(ALLOWED, lists="appointment"),
    ("GET", "/api/v1/agenda"): lambda w: Probe(
        ALLOWED, query={"day": w.appointment_day}, lists="appointment"
    ),
    ("POST", "/api/v1/appointments/{appointment_id}/no-show"): lambda w: Probe(
        DENIED, {"appointment_id": w.appointment}
    ),
    ("GET", "/api/v1/places/{place_id}/agenda.ics"): lambda w: Probe(DENIED, {"place_id": B_PLACE}),
    ("GET", "/api/v1/slots"): lambda w: Probe(ALLOWED),
    # Openings, bus stops and closures.
    ("GET", "/api/v1/openings"): lambda w: Probe(ALLOWED, query={"days": 92}, lists="opening"),
    ("POST", "/api/v1/openings"): lambda w: Probe(
        DENIED,
        body={
            "kind": "one_off",
            "name": "A's stand for B",
            "service": B_SERVICE,
            "starts_at": _at(w, 2),
            "ends_at": _at(w, 2, 12),
            "announce": False,
        },
    ),
    ("DELETE", "/api/v1/openings/{opening_id}"): lambda w: Probe(DENIED, {"opening_id": w.opening}),
    ("GET", "/api/v1/closures"): lambda w: Probe(ALLOWED, lists="closure"),
    ("POST", "/api/v1/closures"): lambda w: Probe(
        DENIED,
        body={"place_id": B_PLACE, "starts_at": _at(w, 20), "ends_at": _at(w, 21)},
    ),
    ("DELETE", "/api/v1/closures/{closure_id}"): lambda w: Probe(DENIED, {"closure_id": w.closure}),
    # Accounts.
    ("POST", "/api/v1/tokens"): lambda w: Probe(
        DENIED, body={"role": "conseiller", "structure": "cecler"}
    ),
    ("GET", "/api/v1/tokens"): lambda w: Probe(DENIED),
    ("PATCH", "/api/v1/tokens/{token_id}"): lambda w: Probe(
        DENIED, {"token_id": w.b.id}, body={"on_duty": True}
    ),
    ("DELETE", "/api/v1/tokens/{token_id}"): lambda w: Probe(DENIED, {"token_id": w.b.id}),
    ("GET", "/api/v1/me"): lambda w: Probe(ALLOWED),
    ("POST", "/api/v1/me/telegram-link"): lambda w: Probe(ALLOWED),
    ("GET", "/api/v1/structures"): lambda w: Probe(ALLOWED),
    # Queues (teams), load, the live feed and reply templates (issue 18).
    ("GET", "/api/v1/queues"): lambda w: Probe(ALLOWED),
    ("POST", "/api/v1/queues"): lambda w: Probe(
        DENIED, body={"id": "cecler-a-team", "structure": "cecler", "name": "A's"}
    ),
    ("DELETE", "/api/v1/queues/{queue_id}"): lambda w: Probe(
        DENIED, {"queue_id": "cecler-agir63-team"}
    ),
    ("GET", "/api/v1/queues/{queue_id}/members"): lambda w: Probe(
        DENIED, {"queue_id": "cecler-agir63-team"}
    ),
    ("PUT", "/api/v1/queues/{queue_id}/members/{token_id}"): lambda w: Probe(
        DENIED, {"queue_id": "cecler-agir63-team", "token_id": w.a.id}
    ),
    ("DELETE", "/api/v1/queues/{queue_id}/members/{token_id}"): lambda w: Probe(
        DENIED, {"queue_id": "cecler-agir63-team", "token_id": w.b.id}
    ),
    ("PUT", "/api/v1/tokens/{token_id}/load"): lambda w: Probe(
        DENIED, {"token_id": w.b.id}, body={"max_open": 0}
    ),
    ("GET", "/api/v1/inbox/changes"): lambda w: Probe(ALLOWED),
    ("GET", "/api/v1/templates"): lambda w: Probe(ALLOWED),
    ("PUT", "/api/v1/templates/{key}"): lambda w: Probe(
        DENIED, {"key": "a_template"}, body={"title": "A's", "texts": {"fr": "A was here"}}
    ),
    ("DELETE", "/api/v1/templates/{key}"): lambda w: Probe(DENIED, {"key": "a_template"}),
    # Indicators, audit, directory.
    ("GET", "/api/v1/stats"): lambda w: Probe(ALLOWED),
    ("GET", "/api/v1/stats/yearly"): lambda w: Probe(ALLOWED, query={"year": "2025"}),
    ("GET", "/api/v1/audit"): lambda w: Probe(DENIED),
    ("GET", "/api/v1/directory"): lambda w: Probe(ALLOWED),
    ("PUT", "/api/v1/directory"): lambda w: Probe(DENIED, body={"yaml": "deployments: []"}),
}


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The sample directory, with a webhook for B's structure that A must not read."""
    sample = DEFAULT_DIRECTORY.read_text(encoding="utf-8")
    marked = sample.replace(
        'notify: {email: "orientations@cecler.example",',
        'notify: {webhook: "https://hooks.cecler.example/B-SECRET-HOOK", '
        'email: "orientations@cecler.example",',
        1,
    )
    assert marked != sample
    directory = tmp_path / "services.yaml"
    directory.write_text(marked, encoding="utf-8")
    return Settings(
        database_url=database_url,
        secret_key=SecretStr("test-key"),
        var_dir=tmp_path / "var",
        directory_path=directory,
        scheduler=False,
    )


def _admin_routes(app: FastAPI) -> set[tuple[str, str]]:
    paths = app.openapi()["paths"]
    return {
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/")
        for method in operations
    }


def _leaks(answer: httpx.Response, world: World, probe: Probe) -> list[str]:
    found = [m for m in ("B-SECRET",) if m in answer.text]
    if probe.lists and answer.headers.get("content-type", "").startswith("application/json"):
        rows = answer.json()
        ids = {row.get("id") for row in rows if isinstance(row, dict)}
        found += [f"{probe.lists} {i}" for i in ids & world.ids[probe.lists]]
    return found


def test_every_admin_route_has_a_row(app: FastAPI) -> None:
    routes = _admin_routes(app)
    assert routes - set(ROWS) == set(), "add a row for each new admin route"
    assert set(ROWS) - routes == set(), "a row names a route that no longer exists"


async def test_conseiller_a_never_gets_b_s_data_from_any_route(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    world = await b_world(app, client)
    slots = (await client.get("/api/v1/slots", headers=world.a.headers)).json()
    wrong = []
    for (method, template), row in sorted(ROWS.items()):
        probe = row(world)
        body = probe.body
        if body and body.get("slot_key") == "{first_free_slot}":
            body = {"slot_key": slots[0]["key"]}
        answer = await client.request(
            method,
            template.format(**probe.path),
            params=probe.query,
            json=body,
            headers=world.a.headers,
        )
        if probe.expect == DENIED and answer.status_code not in (403, 404):
            wrong.append(f"{method} {template}: {answer.status_code} {answer.text[:200]}")
        elif probe.expect == ALLOWED and not 200 <= answer.status_code < 300:
            wrong.append(f"{method} {template}: {answer.status_code} {answer.text[:200]}")
        if leaks := _leaks(answer, world, probe):
            wrong.append(f"{method} {template}: B's data {leaks}")
    assert wrong == []
    # Nothing of B's changed under A's hands.
    b = world.b.headers
    referral = (await client.get(f"/api/v1/referrals/{world.referral}", headers=b)).json()
    assert (referral["status"], referral["structure"]) == ("claimed", "cecler")
    appointments = (await client.get("/api/v1/appointments", headers=b)).json()
    assert [(a["id"], a["status"]) for a in appointments] == [(world.appointment, "booked")]
    assert [o["id"] for o in (await client.get("/api/v1/openings?days=92", headers=b)).json()] == [
        world.opening
    ]
    assert [c["id"] for c in (await client.get("/api/v1/closures", headers=b)).json()] == [
        world.closure
    ]
    figures = (await client.get("/api/v1/stats", headers=world.a.headers)).json()
    assert (figures["referrals"], figures["first_contacts"]) == (0, 0)
    assert figures["appointments_by_place"] == {}
