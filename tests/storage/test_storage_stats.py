"""StatsRepository: the indicators of a period, for every structure or for one; on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import (
    AppointmentRepository,
    ConversationRepository,
    Database,
    IntakeRepository,
    ReferralRepository,
)
from storage.referrals import EVERY_STRUCTURE, Scope
from storage.stats import StatsRepository

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PERIOD = (T0, T0 + timedelta(days=7))


async def _referral(
    db: Database, n: int, structure: str, statuses: list[str], **fields: object
) -> None:
    async with db.transaction() as session:
        conversation = await ConversationRepository(session).create(f"{n:064d}", "web", "fr", {})
        conversation.created_at = T0 + timedelta(hours=n)
        intake = await IntakeRepository(session).add(
            conversation_id=conversation.id,
            theme="housing",
            lang=fields.get("lang", "fr"),
            channel="web",
            statuses=statuses,
            age_band=fields.pop("age_band", None),
            source=fields.pop("source", None),
            created_at=T0 + timedelta(hours=n),
        )
        await ReferralRepository(session).add(
            intake_id=intake.id,
            conversation_id=conversation.id,
            theme="housing",
            reason="journey",
            structure=structure,
            **{"lang": "fr", "created_at": T0 + timedelta(hours=n), **fields},
        )


async def _seed(db: Database) -> None:
    hours = timedelta(hours=1)
    await _referral(db, 1, "ml-cmv", ["minor"], age_band="16-17", source="poster")
    await _referral(
        db, 2, "ml-cmv", ["bpi"], first_contact_at=T0 + 4 * hours, outcome="housed", lang="ar"
    )
    await _referral(db, 3, "cecler", ["bpi", "formerly_ase"], first_contact_at=T0 + 5 * hours)
    await _referral(db, 30 * 24, "ml-cmv", ["minor"])  # a month later: out of the period
    async with db.transaction() as session:
        await AppointmentRepository(session).book(
            conversation_id=None,
            slot_key="ml-hq:1",
            place_id="ml-hq",
            service="first-meeting",
            starts_at=T0 + 2 * hours,
            ends_at=T0 + 3 * hours,
            capacity=2,
            lang="fr",
        )


async def _figures(db: Database, scope: Scope) -> dict[str, object]:
    async with db.transaction() as session:
        return await StatsRepository(session).indicators(*PERIOD, scope)


async def test_indicators_for_every_structure(db: Database) -> None:
    await _seed(db)
    figures = await _figures(db, EVERY_STRUCTURE)
    assert figures["period"] == {"from": PERIOD[0].isoformat(), "to": PERIOD[1].isoformat()}
    assert (figures["referrals"], figures["people_accompanied"]) == (3, 3)
    assert figures["referrals_by_outcome"] == {"open": 2, "housed": 1}
    assert figures["referrals_by_language"] == {"fr": 2, "ar": 1}
    assert figures["intakes_by_age_band"] == {"16-17": 1, "not_said": 2}
    assert figures["intakes_by_source"] == {"poster": 1, "direct": 2}
    assert (figures["minors"], figures["bpi"], figures["formerly_ase"]) == (1, 2, 1)
    assert figures["appointments_by_place"] == {"ml-hq": 1}
    assert figures["median_hours_to_first_contact"] == 2.0  # 2 h and 2 h
    assert figures["qpv"] == 0  # nobody said they live in a QPV


async def test_a_structure_sees_its_referrals_and_intakes_only(db: Database) -> None:
    await _seed(db)
    figures = await _figures(db, Scope("ml-cmv"))
    assert (figures["referrals"], figures["people_accompanied"]) == (2, 2)
    assert (figures["minors"], figures["bpi"], figures["formerly_ase"]) == (1, 1, 0)
    assert figures["intakes_by_language"] == {"fr": 1, "ar": 1}
    assert figures["median_hours_to_first_contact"] == 2.0
    theirs = await _figures(db, Scope("cecler"))
    assert theirs["referrals_by_theme"] == {"housing": 1}
    assert theirs["formerly_ase"] == 1


async def test_first_contacts_and_appointments_are_per_structure(db: Database) -> None:
    """Issue 20: every structure used to get the whole deployment's first contacts."""
    await _seed(db)
    ours = await _figures(db, Scope("ml-cmv", services=frozenset({"first-meeting"})))
    theirs = await _figures(db, Scope("cecler", services=frozenset({"cecler-agir63"})))
    assert (ours["first_contacts"], theirs["first_contacts"]) == (2, 1)
    assert (await _figures(db, EVERY_STRUCTURE))["first_contacts"] == 3
    # An appointment counts for the structure that runs its service.
    assert ours["appointments_by_place"] == {"ml-hq": 1}
    assert theirs["appointments_by_place"] == {}


async def test_an_empty_period_has_no_median(db: Database) -> None:
    figures = await _figures(db, EVERY_STRUCTURE)
    assert figures["referrals"] == 0 and figures["referrals_by_theme"] == {}
    assert figures["median_hours_to_first_contact"] is None
