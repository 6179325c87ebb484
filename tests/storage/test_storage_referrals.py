"""ReferralRepository: the conseillers' search (filters, scope, order, total), the intakes
in a scope, first contact and urgent referrals nobody claimed; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage import Database, IntakeRepository, ReferralRepository, TokenRepository
from storage.models import ApiToken
from storage.referrals import EVERY_STRUCTURE, ReferralFilters, Scope

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# (structure, theme, urgency, status, lang, assigned to the n-th account); an hour apart.
ROWS = [
    ("ml-cmv", "housing", "normal", "new", "fr", None),
    ("ml-cmv", "housing", "urgent", "claimed", "fr", 0),
    ("cecler", "housing", "urgent", "new", "ar", None),
    ("ml-cmv", "cej", "normal", "closed", "en", 0),
    (None, "health", "normal", "new", "fr", None),
    ("ml-cmv", "aid_funds", "urgent", "new", "fr", 1),
]


async def _accounts(db: Database) -> list[int]:
    async with db.transaction() as session:
        for _ in range(2):
            await TokenRepository(session).create("conseiller", structure="ml-cmv")
        return [*(await session.scalars(select(ApiToken.id).order_by(ApiToken.id))).all()]


async def _seed(db: Database) -> list[int]:
    accounts = await _accounts(db)
    ids = []
    async with db.transaction() as session:
        for n, (structure, theme, urgency, status, lang, assigned) in enumerate(ROWS):
            intake = await IntakeRepository(session).add(
                theme=theme, urgency=urgency, lang=lang, channel="web", created_at=T0
            )
            referral = await ReferralRepository(session).add(
                intake_id=intake.id,
                theme=theme,
                urgency=urgency,
                reason="journey",
                structure=structure,
                status=status,
                lang=lang,
                assigned_to=None if assigned is None else accounts[assigned],
                created_at=T0 + timedelta(hours=n),
            )
            ids.append(referral.id)
    return ids


async def _search(
    db: Database, scope: Scope, limit: int = 100, offset: int = 0, **filters: object
) -> tuple[list[int], int]:
    async with db.transaction() as session:
        found, total = await ReferralRepository(session).search(
            ReferralFilters(**filters),  # type: ignore[arg-type]
            scope,
            limit,
            offset,
        )
    return [r.id for r in found], total


async def test_search_puts_urgent_then_new_first_and_counts_all(db: Database) -> None:
    a, b, c, d, e, f = await _seed(db)
    assert await _search(db, EVERY_STRUCTURE) == ([f, c, b, e, a, d], 6)
    assert await _search(db, EVERY_STRUCTURE, limit=2, offset=1) == ([c, b], 6)


async def test_search_is_limited_to_the_scope(db: Database) -> None:
    a, b, c, d, e, f = await _seed(db)
    assert await _search(db, Scope("ml-cmv")) == ([f, b, a, d], 4)
    assert await _search(db, Scope("cecler")) == ([c], 1)
    assert await _search(db, Scope("nowhere")) == ([], 0)
    # A scope without a structure sees only the referrals routed nowhere.
    assert await _search(db, Scope(None)) == ([e], 1)
    # A filter on another structure never widens the scope.
    assert await _search(db, Scope("ml-cmv"), structure="cecler") == ([], 0)


async def test_search_filters_combine(db: Database) -> None:
    a, b, c, d, e, f = await _seed(db)
    assert await _search(db, EVERY_STRUCTURE, status="new", theme="housing") == ([c, a], 2)
    assert await _search(db, EVERY_STRUCTURE, urgency="urgent", lang="fr") == ([f, b], 2)
    first = await _search(db, EVERY_STRUCTURE, status="claimed")
    async with db.transaction() as session:
        claimed = await ReferralRepository(session).locked(first[0][0])
    assert claimed is not None and claimed.assigned_to is not None
    assert await _search(db, EVERY_STRUCTURE, assigned_to=claimed.assigned_to) == ([b, d], 2)
    assert await _search(db, Scope("ml-cmv"), structure="ml-cmv", status="closed") == ([d], 1)
    window = {"created_from": T0 + timedelta(hours=1), "created_to": T0 + timedelta(hours=3)}
    assert await _search(db, EVERY_STRUCTURE, **window) == ([c, b], 2)
    # Empty strings mean "any", like absent query parameters.
    assert await _search(db, EVERY_STRUCTURE, theme="", lang="") == ([f, c, b, e, a, d], 6)


async def test_locked_and_scope_allows(db: Database) -> None:
    a, *_, e, _ = await _seed(db)
    async with db.transaction() as session:
        repo = ReferralRepository(session)
        referral, nowhere = await repo.locked(a), await repo.locked(e)
        assert await repo.locked(999) is None
    assert referral is not None and nowhere is not None
    assert EVERY_STRUCTURE.allows(referral) and Scope("ml-cmv").allows(referral)
    assert not Scope("cecler").allows(referral) and not Scope(None).allows(referral)
    assert Scope(None).allows(nowhere) and not Scope("ml-cmv").allows(nowhere)


async def test_intakes_in_scope_are_those_behind_its_referrals(db: Database) -> None:
    await _seed(db)
    async with db.transaction() as session:
        intakes = IntakeRepository(session)
        every = [i.id for i in await intakes.in_scope(EVERY_STRUCTURE)]
        ours = [i.theme for i in await intakes.in_scope(Scope("ml-cmv"))]
        paged = [i.id for i in await intakes.in_scope(EVERY_STRUCTURE, limit=2, offset=1)]
        theirs = [i.theme for i in await intakes.in_scope(Scope("cecler"))]
    assert every == sorted(every, reverse=True) and len(every) == 6
    assert ours == ["aid_funds", "cej", "housing", "housing"]
    assert paged == every[1:3] and theirs == ["housing"]


async def test_first_contact_is_recorded_once(db: Database) -> None:
    a, *_ = await _seed(db)
    async with db.transaction() as session:
        await ReferralRepository(session).touch_first_contact(a, T0 + timedelta(hours=5))
    async with db.transaction() as session:
        await ReferralRepository(session).touch_first_contact(a, T0 + timedelta(hours=9))
    async with db.transaction() as session:
        referral = await ReferralRepository(session).locked(a)
    assert referral is not None and referral.first_contact_at == T0 + timedelta(hours=5)


async def test_unclaimed_urgent_are_new_urgent_and_never_escalated(db: Database) -> None:
    *_, c, _d, _e, f = await _seed(db)
    async with db.transaction() as session:
        repo = ReferralRepository(session)
        assert [r.id for r in await repo.unclaimed_urgent(T0 + timedelta(hours=9))] == [c, f]
        assert [r.id for r in await repo.unclaimed_urgent(T0 + timedelta(hours=4))] == [c]
        escalated = await repo.locked(c)
        assert escalated is not None
        escalated.escalated_at = T0
    async with db.transaction() as session:
        later = await ReferralRepository(session).unclaimed_urgent(T0 + timedelta(hours=9))
    assert [r.id for r in later] == [f]
