"""Admin API reads: authentication on every route, token expiry and revocation, scoping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from storage import TokenRepository
from support.webchat import WebChat

PUBLIC = {"/health", "/", "/webchat/sessions", "/webchat/sessions/{session_id}/messages"}
# The chat page and the inbox (bot/pages.py), and the chat page's session housekeeping.
PUBLIC |= {"/inbox", "/webchat/ui", "/inbox/ui", "/webchat/sessions/{session_id}"}
PUBLIC |= {"/webchat/sessions/{session_id}/end"}
READS = ["/api/v1/referrals", "/api/v1/intakes", "/api/v1/appointments"]


async def _token(app: FastAPI, role: str, **kwargs: object) -> str:
    async with app.state.services.db.transaction() as session:
        return await TokenRepository(session).create(role, **kwargs)  # type: ignore[arg-type]


def test_every_non_public_route_requires_a_token(app: FastAPI) -> None:
    for route in app.routes:
        if isinstance(route, APIRoute) and route.path not in PUBLIC:
            names = {d.call.__name__ for d in route.dependant.dependencies if d.call}
            assert "caller" in names, route.path


@pytest.mark.parametrize("path", READS)
async def test_reads_refuse_missing_or_bad_tokens(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert (await client.get(path, headers=bad)).status_code == 401


async def test_expired_and_revoked_tokens_are_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    expired = await _token(app, "admin", expires_at=datetime.now(UTC) - timedelta(seconds=1))
    headers = {"Authorization": f"Bearer {expired}"}
    assert (await client.get(READS[0], headers=headers)).status_code == 401
    async with app.state.services.db.transaction() as session:
        repo = TokenRepository(session)
        token = await repo.create("admin")
        assert await repo.revoke((await repo.verify(token)).id)  # type: ignore[union-attr]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get(READS[0], headers=headers)).status_code == 401


async def test_conseiller_sees_only_their_structure(
    app: FastAPI, client: httpx.AsyncClient, chat: WebChat, admin_headers: dict[str, str]
) -> None:
    await chat.start(lang="en")
    await chat.tap("entry.language.en")
    await chat.tap("agree")
    await chat.tap("nav.human")
    ours = {"Authorization": f"Bearer {await _token(app, 'conseiller', structure='ml-cmv')}"}
    other = {"Authorization": f"Bearer {await _token(app, 'conseiller', structure='cecler')}"}
    assert len((await client.get("/api/v1/referrals", headers=ours)).json()) == 1
    assert (await client.get("/api/v1/referrals", headers=other)).json() == []
    assert (await client.get("/api/v1/intakes", headers=other)).json() == []
    assert len((await client.get("/api/v1/referrals", headers=admin_headers)).json()) == 1


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "offset=-1", "limit=abc"])
async def test_bad_paging_is_422(
    client: httpx.AsyncClient, admin_headers: dict[str, str], query: str
) -> None:
    response = await client.get(f"/api/v1/referrals?{query}", headers=admin_headers)
    assert response.status_code == 422


async def test_admin_replaces_the_directory_without_restart(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str], chat: WebChat
) -> None:
    current = (await client.get("/api/v1/directory", headers=admin_headers)).json()
    assert current["deployment"] == "clermont-ferrand"
    edited = current["yaml"].replace(
        '"MiLo Machine bus — Place de Jaude"', '"Bus MiLo — Jaude (moved)"'
    )
    assert edited != current["yaml"]
    response = await client.put("/api/v1/directory", json={"yaml": edited}, headers=admin_headers)
    assert response.status_code == 200
    await chat.start()
    await chat.tap("entry.language.en")
    await chat.tap("agree")
    await chat.tap("menu.main.appointment")
    await chat.tap("other")
    assert any("Jaude (moved)" in b["label"] for m in chat.last for b in m["buttons"])
    broken = edited.replace("route_to: ml-cmv-housing-referent", "route_to: nobody-here", 1)
    refused = await client.put("/api/v1/directory", json={"yaml": broken}, headers=admin_headers)
    assert refused.status_code == 409 and "nobody-here" in refused.json()["detail"]
    garbage = await client.put(
        "/api/v1/directory", json={"yaml": "- just\n- a list"}, headers=admin_headers
    )
    assert garbage.status_code == 409
    conseiller = {"Authorization": f"Bearer {await _token(app, 'conseiller', structure='ml-cmv')}"}
    forbidden = await client.put("/api/v1/directory", json={"yaml": edited}, headers=conseiller)
    assert forbidden.status_code == 403
