"""One open referral per person and need (storage/referral_updates.py, intakes.record):
a second request on the same need updates the open referral (facts, urgency, history,
notification of the assigned conseiller); a closed one never absorbs a new request; a
different need is a new referral linked to the first; a journey done again keeps one
intake. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from conversations.directory import Deployment, load_directory
from storage import ConversationRepository, Database, IntakeRepository, ReferralRepository
from storage.models import ApiToken, AuditEntry, Intake, Notification, Referral
from storage.referral_updates import UPDATED_BY_PERSON, UPDATED_EVENT, file_referral
from storage.tokens import TokenRepository

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def deployment() -> Deployment:
    return load_directory()


def _request(theme: str = "housing", structure: str = "ml-cmv", **over: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "theme": theme,
        "urgency": "normal",
        "reason": "journey",
        "structure": structure,
        "role": "ml-cmv-housing-referent",
        "rule_id": "r-care-housing",
        "summary": {"facts": {"housing_situation": "hosted_unstable"}, "suggest": ["adil-63"]},
        "lang": "fr",
    }
    return {**fields, **over}


async def _conversation(db: Database, key: str = "a") -> int:
    async with db.transaction() as session:
        conversation = await ConversationRepository(session).create(key * 64, "web", "fr", {})
        return conversation.id


async def _file(db: Database, deployment: Deployment, conversation_id: int, **fields: Any) -> int:
    async with db.transaction() as session:
        referral = await file_referral(session, deployment, NOW, conversation_id, **fields)
        return referral.id


async def _all(db: Database, model: Any) -> list[Any]:
    async with db.transaction() as session:
        return [*(await session.scalars(select(model).order_by(model.id))).all()]


async def test_asking_twice_leaves_one_open_referral_with_merged_facts(
    db: Database, deployment: Deployment
) -> None:
    person = await _conversation(db)
    first = await _file(db, deployment, person, **_request())
    again = _request(
        urgency="urgent",
        summary={"facts": {"housing_situation": "street"}, "suggest": ["siao-63-115"]},
    )
    second = await _file(db, deployment, person, **again)

    assert second == first
    [referral] = await _all(db, Referral)
    assert referral.urgency == "urgent"
    assert referral.summary["facts"]["housing_situation"] == "street"
    assert referral.summary["suggest"] == ["adil-63", "siao-63-115"]
    history = [e for e in await _all(db, AuditEntry) if e.action == UPDATED_BY_PERSON]
    assert [(e.resource_id, e.detail["urgency_to"]) for e in history] == [(first, "urgent")]


async def test_urgency_is_never_lowered_by_a_new_request(
    db: Database, deployment: Deployment
) -> None:
    person = await _conversation(db)
    await _file(db, deployment, person, **_request(urgency="urgent"))
    await _file(db, deployment, person, **_request(urgency="normal"))
    [referral] = await _all(db, Referral)
    assert referral.urgency == "urgent"


async def test_the_assigned_conseiller_is_notified_of_the_update(
    db: Database, deployment: Deployment
) -> None:
    person = await _conversation(db)
    first = await _file(db, deployment, person, **_request())
    async with db.transaction() as session:
        await TokenRepository(session).create("conseiller", structure="ml-cmv")
        account = (await session.scalars(select(ApiToken))).one()
        account.email = "referente@example.org"
        (await session.get(Referral, first)).assigned_to = account.id  # type: ignore[union-attr]

    await _file(db, deployment, person, **_request())

    updates = [n for n in await _all(db, Notification) if n.event == UPDATED_EVENT]
    assert [(n.referral_id, n.kind, n.target) for n in updates] == [
        (first, "email", "referente@example.org")
    ]


async def test_a_closed_referral_does_not_absorb_a_new_request(
    db: Database, deployment: Deployment
) -> None:
    person = await _conversation(db)
    first = await _file(db, deployment, person, **_request())
    async with db.transaction() as session:
        (await session.get(Referral, first)).status = "closed"  # type: ignore[union-attr]

    second = await _file(db, deployment, person, **_request())

    assert second != first
    assert [r.status for r in await _all(db, Referral)] == ["closed", "new"]


async def test_a_different_need_elsewhere_is_a_new_linked_referral(
    db: Database, deployment: Deployment
) -> None:
    person = await _conversation(db)
    housing = await _file(db, deployment, person, **_request())
    aid = await _file(
        db, deployment, person, **_request(theme="aid_funds", structure="ccas-clermont")
    )

    assert aid != housing
    async with db.transaction() as session:
        referrals = ReferralRepository(session)
        assert await referrals.linked_ids(aid) == [housing]
        assert await referrals.linked_ids(housing) == [aid]


async def test_another_conversation_is_never_taken_for_the_same_person(
    db: Database, deployment: Deployment
) -> None:
    first = await _file(db, deployment, await _conversation(db, "a"), **_request())
    other = await _file(db, deployment, await _conversation(db, "b"), **_request())
    assert other != first
    async with db.transaction() as session:
        assert await ReferralRepository(session).linked_ids(other) == []


async def test_a_journey_done_three_times_keeps_one_intake(db: Database) -> None:
    person = await _conversation(db)
    for band in ("none", "low", "mid"):
        async with db.transaction() as session:
            await IntakeRepository(session).record(
                person,
                "housing",
                answers={"resources_band": band},
                lang="fr",
                channel="web",
                urgency="normal",
            )
    [intake] = await _all(db, Intake)
    assert intake.answers == {"resources_band": "mid"}


async def test_an_intake_behind_a_closed_referral_is_kept_as_it_was(db: Database) -> None:
    person = await _conversation(db)
    async with db.transaction() as session:
        intakes = IntakeRepository(session)
        kept = await intakes.record(person, "housing", answers={"a": "1"}, lang="fr", channel="web")
        await ReferralRepository(session).add(
            intake_id=kept.id,
            conversation_id=person,
            theme="housing",
            reason="journey",
            status="closed",
            lang="fr",
        )
    async with db.transaction() as session:
        await IntakeRepository(session).record(
            person, "housing", answers={"a": "2"}, lang="fr", channel="web"
        )
    assert [i.answers for i in await _all(db, Intake)] == [{"a": "1"}, {"a": "2"}]
