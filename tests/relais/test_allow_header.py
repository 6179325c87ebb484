"""A 405 lists every method the path serves, even when several routes share the path."""

from __future__ import annotations

import httpx


async def test_a_405_lists_every_method_of_the_path(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    response = await client.patch("/api/v1/openings", headers=admin_headers)
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST"}
