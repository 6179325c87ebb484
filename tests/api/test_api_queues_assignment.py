"""New referrals dealt by round robin within capacity among their queue's members, an
urgent one to whoever is on duty, nobody available → unassigned; two referrals created at
the same moment on PostgreSQL go to two conseillers. Through the same call the chat's
turn makes (`announce_referral`), on the real database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from storage import Database, ReferralRepository, TokenRepository
from storage.announcements import announce_referral
from storage.assignment import assign_new_referral

HOUSING = "ml-cmv-housing-referent"
T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


async def _member(db: Database, name: str, **settings: object) -> int:
    async with db.transaction() as session:
        tokens = TokenRepository(session)
        account = await tokens.verify(await tokens.create("conseiller", name, "ml-cmv"))
        assert account is not None
        await tokens.update(account.id, {"queues": [HOUSING], **settings})
        return account.id


async def _new_referral(app: FastAPI, minute: int, urgency: str = "normal") -> int | None:
    """A housing referral announced like the chat's turn does; who got it."""
    services = app.state.services
    async with services.db.transaction() as session:
        referral = await ReferralRepository(session).add(
            theme="housing", reason="journey", structure="ml-cmv", role=HOUSING,
            urgency=urgency, lang="fr",
        )  # fmt: skip
        now = T0 + timedelta(minutes=minute)
        await announce_referral(session, referral, services.engine.deployment, now)
        return referral.assigned_to


async def test_round_robin_within_capacity_and_urgent_to_whoever_is_on_duty(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    db = app.state.services.db
    awa = await _member(db, "Awa")
    bilal = await _member(db, "Bilal", max_open=1)
    await _member(db, "Chloé", queues=["ml-cmv-cej-sector"])  # another team

    dealt = [await _new_referral(app, minute) for minute in range(4)]
    assert dealt == [awa, bilal, awa, awa]  # Bilal is full after one

    await client.put(f"/api/v1/tokens/{awa}/load", json={"max_open": 3}, headers=admin_headers)
    assert await _new_referral(app, 5) is None  # both full: it waits in the queue

    assert await _new_referral(app, 6, urgency="urgent") is None  # nobody on duty
    await client.patch(f"/api/v1/tokens/{bilal}", json={"on_duty": True}, headers=admin_headers)
    assert await _new_referral(app, 7, urgency="urgent") == bilal  # on duty, whatever the load

    members = (await client.get(f"/api/v1/queues/{HOUSING}/members", headers=admin_headers)).json()
    assert {m["id"]: m["open_referrals"] for m in members} == {awa: 3, bilal: 2}


async def test_two_referrals_at_once_go_to_two_conseillers(database_url: str, db: Database) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL")
    first, second = await _member(db, "Awa"), await _member(db, "Bilal")
    first_assigned, second_waiting = asyncio.Event(), asyncio.Event()

    async def first_deal() -> int | None:
        async with db.transaction() as session:
            referral = await ReferralRepository(session).add(
                theme="housing", reason="journey", structure="ml-cmv", role=HOUSING, lang="fr"
            )
            await assign_new_referral(session, referral, T0)
            first_assigned.set()
            await second_waiting.wait()
            await asyncio.sleep(0.3)  # the other transaction is now blocked on the rows
            return referral.assigned_to

    async def second_deal() -> int | None:
        await first_assigned.wait()
        async with db.transaction() as session:
            referral = await ReferralRepository(session).add(
                theme="housing", reason="journey", structure="ml-cmv", role=HOUSING, lang="fr"
            )
            second_waiting.set()
            await assign_new_referral(session, referral, T0)
            return referral.assigned_to

    got = await asyncio.gather(first_deal(), second_deal())
    assert sorted(a for a in got if a is not None) == sorted([first, second])
