"""The seeds' yearly tables (storage/stats_tables.py) from a known fixture: every cell of
every table, for one structure and for all; on SQLite and PostgreSQL.

The fixture, year 2025 (ml-cmv unless said):
1. a woman, new, in a QPV, 16-17, minor; housing; closed `employment_durable` with an
   FMAJ aid for subsistence of 150.50 €.
2. a man, new, not in a QPV, 18-25, BPI with RQTH; housing; closed `training` with an
   FDAJ aid for insertion of 200 €.
3. a man, already known, QPV not said, 18-25, BPI; work; closed `housed`.
4. two intakes of one conversation: first a woman (aid), then nothing said (housing,
   open): counted once, as the latest says.
5. a referral of 2024 closed in January 2025 with `pmsmp` (outcome counted, person not).
6. cecler: a woman, new, BPI, 26-29; closed `employment`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from storage import ConversationRepository, Database, IntakeRepository, ReferralRepository
from storage.intake_facts import intake_facts
from storage.model_casework import KioskEncounter
from storage.outcomes import AID_FUNDS, AID_PURPOSES, OUTCOMES, Aid
from storage.referral_aids import replace_aid
from storage.scope import EVERY_STRUCTURE, Scope
from storage.stats import StatsRepository, year_period

YEAR = 2025
T0 = datetime(YEAR, 3, 1, 9, 0, tzinfo=UTC)
ML = Scope("ml-cmv", places=frozenset({"bus-jaude"}))


async def _case(
    db: Database,
    key: int,
    *,
    structure: str = "ml-cmv",
    theme: str = "housing",
    at: datetime = T0,
    outcome: str | None = None,
    aid: Aid | None = None,
    **facts: Any,
) -> None:
    async with db.transaction() as session:
        conversations = ConversationRepository(session)
        person = f"{key:064d}"
        conversation = await conversations.get_for_update(person)
        if conversation is None:
            conversation = await conversations.create(person, "web", "fr", {})
        intake = await IntakeRepository(session).add(
            conversation_id=conversation.id,
            theme=theme,
            lang="fr",
            channel="web",
            created_at=at,
            **facts,
        )
        referral = await ReferralRepository(session).add(
            intake_id=intake.id,
            conversation_id=conversation.id,
            theme=theme,
            reason="journey",
            structure=structure,
            lang="fr",
            created_at=at,
        )
        if outcome:
            referral.status, referral.outcome = "closed", outcome
            referral.closed_at = max(at, T0) + timedelta(days=3)
            await replace_aid(session, referral.id, aid)


async def _seed(db: Database) -> None:
    day = timedelta(days=1)
    await _case(
        db, 1, outcome="employment_durable", aid=Aid("fmaj", "subsistence", 15050),
        gender="woman", known_to_ml="no", qpv_resident=True, age_band="16_17",
        statuses=["minor"], territory="clermont-auvergne-metropole",
    )  # fmt: skip
    await _case(
        db, 2, at=T0 + day, outcome="training", aid=Aid("fdaj", "insertion", 20000),
        gender="man", known_to_ml="no", qpv_resident=False, age_band="18_25",
        statuses=["bpi"], flags=["rqth"], territory="clermont-montagne",
    )  # fmt: skip
    await _case(
        db, 3, theme="work", outcome="housed",
        gender="man", known_to_ml="yes", age_band="18_25", statuses=["bpi"],
    )  # fmt: skip
    await _case(db, 4, theme="aid", at=T0 + day, gender="woman", qpv_resident=True)
    await _case(db, 4, at=T0 + 2 * day, qpv_resident=True)
    await _case(db, 5, at=datetime(2024, 12, 30, tzinfo=UTC), outcome="pmsmp")
    await _case(
        db, 6, structure="cecler", outcome="employment",
        gender="woman", known_to_ml="no", age_band="26_29", statuses=["bpi"],
    )  # fmt: skip
    async with db.transaction() as session:
        for when, place, count in [
            (date(2025, 3, 5), "bus-jaude", 3),
            (date(2025, 3, 20), "", 2),
            (date(2025, 7, 1), "bus-les-vergnes", 4),
            (date(2024, 12, 31), "bus-jaude", 9),
        ]:
            session.add(KioskEncounter(day=when, place=place, count=count))


async def _tables(db: Database, scope: Scope) -> dict[str, Any]:
    async with db.transaction() as session:
        figures = await StatsRepository(session).yearly(YEAR, scope)
    assert figures["year"] == YEAR
    tables: dict[str, Any] = figures["tables"]
    return tables


def _counts(table: dict[str, dict[str, Any]]) -> dict[str, tuple[int, float | None]]:
    return {row: (cells["count"], cells["share"]) for row, cells in table.items()}


def _row(total: int, men: int, women: int, other: int, gender_not_said: int, qpv: int,
         qpv_not_said: int, minors: int, bpi: int) -> dict[str, Any]:  # fmt: skip
    def pct(n: int) -> float | None:
        return round(100 * n / total, 1) if total else None

    return {
        "total": total, "men": men, "women": women, "other_gender": other,
        "gender_not_said": gender_not_said, "qpv": qpv, "qpv_not_said": qpv_not_said,
        "minors": minors, "bpi": bpi, "men_share": pct(men), "women_share": pct(women),
        "qpv_share": pct(qpv), "minors_share": pct(minors),
    }  # fmt: skip


async def test_people_tables_of_one_structure(db: Database) -> None:
    await _seed(db)
    tables = await _tables(db, ML)
    assert tables["people"] == {
        "first_welcomes": _row(2, 1, 1, 0, 0, 1, 0, 1, 1),
        "already_known": _row(1, 1, 0, 0, 0, 0, 1, 0, 1),
        "known_not_said": _row(1, 0, 0, 0, 1, 1, 0, 0, 0),
        "accompanied": _row(4, 2, 1, 0, 1, 2, 1, 1, 2),
    }
    assert _counts(tables["gender"]) == {
        "woman": (1, 25.0), "man": (2, 50.0), "other": (0, 0.0), "not_said": (1, 25.0),
    }  # fmt: skip
    assert _counts(tables["qpv"]) == {"yes": (2, 50.0), "no": (1, 25.0), "not_said": (1, 25.0)}
    assert _counts(tables["known_to_ml"]) == {
        "new": (2, 50.0), "known": (1, 25.0), "not_said": (1, 25.0),
    }  # fmt: skip
    assert _counts(tables["age_bands"]) == {
        "u16": (0, 0.0), "16_17": (1, 25.0), "18_25": (2, 50.0), "26_29": (0, 0.0),
        "30_plus": (0, 0.0), "not_said": (1, 25.0),
    }  # fmt: skip
    assert _counts(tables["statuses"]) == {
        "minor": (1, 25.0), "bpi": (2, 50.0), "formerly_ase": (0, 0.0), "rqth": (1, 25.0),
        "justice_pjj": (0, 0.0), "justice_spip": (0, 0.0), "lone_parent": (0, 0.0),
    }  # fmt: skip
    assert _counts(tables["territories"]) == {
        "clermont-auvergne-metropole": (1, 25.0),
        "clermont-montagne": (1, 25.0),
        "not_said": (2, 50.0),
    }
    assert tables["themes"] == {
        "aid": {"referrals": 1}, "housing": {"referrals": 3}, "work": {"referrals": 1},
    }  # fmt: skip
    assert tables["ctai"] == {"bpi": {"total": 2, "men": 2, "women": 0, "under_26": 2}}


async def test_outcomes_aid_and_ctai_exits_of_one_structure(db: Database) -> None:
    await _seed(db)
    tables = await _tables(db, ML)
    empty = {"referrals": 0, "qpv": 0, "qpv_share": None, "bpi": 0}
    expected = {outcome: dict(empty) for outcome in OUTCOMES}
    expected["employment_durable"] = {"referrals": 1, "qpv": 1, "qpv_share": 100.0, "bpi": 0}
    expected["training"] = {"referrals": 1, "qpv": 0, "qpv_share": 0.0, "bpi": 1}
    expected["housed"] = {"referrals": 1, "qpv": 0, "qpv_share": 0.0, "bpi": 1}
    expected["pmsmp"] = {"referrals": 1, "qpv": 0, "qpv_share": 0.0, "bpi": 0}
    assert tables["outcomes"] == expected
    assert list(tables["outcomes"]) == list(OUTCOMES)
    assert tables["ctai_exits"] == {
        "bpi": {"closed": 2, "positive_exits": 1, "training": 1, "any_job": 0,
                "durable_job": 0, "housing": 1},
    }  # fmt: skip
    funds = {fund: {"aids": 0, "amount_eur": 0.0} for fund in AID_FUNDS}
    funds["fmaj"] = {"aids": 1, "amount_eur": 150.5}
    funds["fdaj"] = {"aids": 1, "amount_eur": 200.0}
    assert tables["aid_by_fund"] == funds
    purposes = {p: {"aids": 0, "amount_eur": 0.0} for p in (*AID_PURPOSES, "not_said")}
    purposes["subsistence"] = {"aids": 1, "amount_eur": 150.5}
    purposes["insertion"] = {"aids": 1, "amount_eur": 200.0}
    assert tables["aid_by_purpose"] == purposes


async def test_every_structure_counts_the_other_structures_too(db: Database) -> None:
    await _seed(db)
    tables = await _tables(db, EVERY_STRUCTURE)
    assert tables["people"]["accompanied"]["total"] == 5
    assert tables["people"]["first_welcomes"] == _row(3, 1, 2, 0, 0, 1, 1, 1, 2)
    assert tables["gender"]["woman"] == {"count": 2, "share": 40.0}
    assert tables["ctai"] == {"bpi": {"total": 3, "men": 2, "women": 1, "under_26": 2}}
    assert tables["ctai_exits"]["bpi"]["positive_exits"] == 2
    assert tables["ctai_exits"]["bpi"]["any_job"] == 1
    assert tables["outcomes"]["employment"]["referrals"] == 1


async def test_kiosk_met_per_month_and_place(db: Database) -> None:
    await _seed(db)
    every = (await _tables(db, EVERY_STRUCTURE))["kiosk_met"]
    assert list(every) == [f"2025-{month:02d}" for month in range(1, 13)]
    zero = {"total": 0, "bus-jaude": 0, "bus-les-vergnes": 0, "not_said": 0}
    assert every["2025-01"] == zero
    assert every["2025-03"] == {**zero, "total": 5, "bus-jaude": 3, "not_said": 2}
    assert every["2025-07"] == {**zero, "total": 4, "bus-les-vergnes": 4}
    ours = (await _tables(db, ML))["kiosk_met"]  # the places ml-cmv serves: bus-jaude
    assert ours["2025-03"] == {"total": 3, "bus-jaude": 3}
    assert ours["2025-07"] == {"total": 0, "bus-jaude": 0}


async def test_legacy_qpv_counts_who_said_they_live_in_one(db: Database) -> None:
    await _seed(db)
    async with db.transaction() as session:
        figures = await StatsRepository(session).indicators(*year_period(YEAR), ML)
    assert figures["qpv"] == 3  # people 1 and 4 (both of 4's intakes)


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ({}, (None, None, None, [])),
        ({"gender": "not_said", "known_to_ml": "not_said", "neighbourhood": "not_said"},
         (None, None, None, [])),
        ({"gender": "woman", "known_to_ml": "no", "neighbourhood": "Les Vergnes",
          "flags": "rqth,qpv_resident"}, ("woman", "no", True, ["rqth", "qpv_resident"])),
        ({"gender": "man", "known_to_ml": "yes", "neighbourhood": "other"},
         ("man", "yes", False, [])),
    ],
)  # fmt: skip
def test_an_intake_keeps_only_what_was_answered(
    profile: dict[str, str], expected: tuple[Any, ...]
) -> None:
    facts = intake_facts(profile)
    assert (facts["gender"], facts["known_to_ml"], facts["qpv_resident"], facts["flags"]) == (
        expected
    )
