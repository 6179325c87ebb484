"""The referral workflow as a service, without HTTP: it raises the casework's domain
errors (NotFound for what the caller may not see, Conflict for a state that does not
allow the move) and leaves nothing half-done when it refuses."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from api.casework import Caller, Conflict, Forbidden, NotFound, ReferralService
from storage import ReferralRepository, TokenRepository
from storage.referrals import ReferralFilters


def _service(app: FastAPI, who: Caller) -> ReferralService:
    services = app.state.services
    return ReferralService(services.db, who, services.engine.deployment)


async def _caller(app: FastAPI, role: str, structure: str | None = None) -> Caller:
    async with app.state.services.db.transaction() as session:
        tokens = TokenRepository(session)
        account = await tokens.verify(await tokens.create(role, structure=structure))
        assert account is not None
        return Caller(account.id, account.role, account.structure)


async def _referral(app: FastAPI, structure: str, status: str = "new") -> int:
    async with app.state.services.db.transaction() as session:
        referral = await ReferralRepository(session).add(
            theme="housing", reason="journey", structure=structure, status=status, lang="fr"
        )
        return referral.id


async def test_another_structures_referral_is_not_found(app: FastAPI) -> None:
    rid = await _referral(app, "ml-cmv")
    stranger = _service(app, await _caller(app, "conseiller", "cecler"))
    for attempt in (
        stranger.read(rid),
        stranger.claim(rid),
        stranger.change_status(rid, "in_progress"),
        stranger.close(rid, "housed"),
        stranger.transfer(rid, "cecler", None),
    ):
        with pytest.raises(NotFound, match="referral not found"):
            await attempt
    found, total = await stranger.search(ReferralFilters(), 10, 0)
    assert (found, total) == ([], 0)
    referral, _ = await _service(app, await _caller(app, "admin")).read(rid)
    assert (referral.status, referral.structure) == ("new", "ml-cmv")


async def test_refused_moves_are_conflicts(app: FastAPI) -> None:
    rid = await _referral(app, "ml-cmv")
    admin = await _caller(app, "admin")
    service = _service(app, admin)
    claimed = await service.claim(rid)
    assert (claimed.status, claimed.assigned_to) == ("claimed", admin.token_id)
    with pytest.raises(Conflict, match="referral is claimed"):
        await service.claim(rid)
    with pytest.raises(Conflict, match="closed with an outcome"):
        await service.change_status(rid, "closed")
    closed = await service.close(rid, "oriented")
    assert (closed.status, closed.outcome) == ("closed", "oriented")
    with pytest.raises(Conflict, match="cannot go from closed to claimed"):
        await service.change_status(rid, "claimed")
    with pytest.raises(Conflict, match="referral is closed"):
        await service.transfer(rid, "cecler", None)


def test_only_admins_pass_require_admin() -> None:
    Caller(token_id=1, role="admin", structure=None).require_admin()
    with pytest.raises(Forbidden, match="admin only"):
        Caller(token_id=3, role="conseiller", structure="ml-cmv").require_admin()
