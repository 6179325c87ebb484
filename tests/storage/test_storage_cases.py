"""Contract tests for intakes, referrals and API tokens, on SQLite and PostgreSQL.

Tokens are checked for the full life cycle: the plaintext is never stored, verification
honours expiry and revocation, and unknown tokens are rejected.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storage import (
    ConversationRepository,
    Database,
    IntakeRepository,
    ReferralRepository,
    TokenRepository,
)
from storage.models import ApiToken

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _intake(conversation_id: int | None, theme: str, at: datetime) -> dict[str, object]:
    return {
        "conversation_id": conversation_id,
        "theme": theme,
        "answers": {"age": "16-17"},
        "age_band": "16-17",
        "commune": "Lyon",
        "territory": "69",
        "statuses": ["minor", "formerly_ase"],
        "urgency": "normal",
        "signals": [],
        "lang": "fr",
        "source": "qr-poster",
        "channel": "web",
        "created_at": at,
    }


async def test_intakes_add_latest_and_list(db: Database) -> None:
    async with db.transaction() as session:
        conv = await ConversationRepository(session).create("c" * 64, "web", "fr", {})
        intakes = IntakeRepository(session)
        await intakes.add(**_intake(conv.id, "housing", T0))
        await intakes.add(**_intake(conv.id, "health", T0 + timedelta(hours=1)))
        await intakes.add(**_intake(None, "jobs", T0 + timedelta(hours=2)))

    async with db.transaction() as session:
        intakes = IntakeRepository(session)
        latest = await intakes.latest_for_conversation(conv.id)
        assert latest is not None and latest.theme == "health"
        assert latest.statuses == ["minor", "formerly_ase"]
        assert latest.created_at == T0 + timedelta(hours=1)
        assert await intakes.latest_for_conversation(conv.id + 99) is None
        assert [i.theme for i in await intakes.list(10, 0)] == ["jobs", "health", "housing"]
        assert [i.theme for i in await intakes.list(1, 1)] == ["health"]


async def test_the_intake_id_of_a_referral_prefers_its_theme(db: Database) -> None:
    async with db.transaction() as session:
        conv = await ConversationRepository(session).create("d" * 64, "web", "fr", {})
        intakes = IntakeRepository(session)
        housing = await intakes.add(**_intake(conv.id, "housing", T0))
        health = await intakes.add(**_intake(conv.id, "health", T0 + timedelta(hours=1)))

    async with db.transaction() as session:
        intakes = IntakeRepository(session)
        assert await intakes.latest_id(conv.id, "housing") == housing.id
        assert await intakes.latest_id(conv.id, "cej") == health.id  # none on cej: the latest
        assert await intakes.latest_id(conv.id + 99, "housing") is None


async def test_referrals_add_and_list_by_status(db: Database) -> None:
    async with db.transaction() as session:
        intake = await IntakeRepository(session).add(**_intake(None, "housing", T0))
        referrals = ReferralRepository(session)
        for n, status in enumerate(["new", "done", "new"]):
            await referrals.add(
                intake_id=intake.id,
                theme="housing",
                urgency="same_day",
                reason="journey",
                structure="ml-lyon",
                role="housing-advisor",
                rule_id=f"rule-{n}",
                status=status,
                summary={"needs": ["shelter"]},
                lang="fr",
                created_at=T0 + timedelta(minutes=n),
            )

    async with db.transaction() as session:
        referrals = ReferralRepository(session)
        assert [r.rule_id for r in await referrals.list(10, 0)] == ["rule-2", "rule-1", "rule-0"]
        new = await referrals.list(10, 0, status="new")
        assert [r.rule_id for r in new] == ["rule-2", "rule-0"]
        assert new[0].summary == {"needs": ["shelter"]} and new[0].intake_id == intake.id
        assert [r.rule_id for r in await referrals.list(1, 2)] == ["rule-0"]


async def test_tokens_create_verify_expire_revoke(db: Database) -> None:
    async with db.transaction() as session:
        tokens = TokenRepository(session)
        admin = await tokens.create("admin", name="ops")
        short = await tokens.create("conseiller", structure="ml-lyon", expires_at=T0)
        with pytest.raises(ValueError):
            await tokens.create("root")

    async with db.transaction() as session:
        stored = (await session.scalars(select(ApiToken.token_hash))).all()
        assert admin not in stored and len(stored) == 2 and all(len(h) == 64 for h in stored)
        tokens = TokenRepository(session)
        found = await tokens.verify(admin, T0)
        assert found is not None and (found.role, found.name) == ("admin", "ops")
        before = await tokens.verify(short, T0 - timedelta(seconds=1))
        assert before is not None and before.structure == "ml-lyon"
        assert await tokens.verify(short, T0) is None
        assert await tokens.verify("not-a-token", T0) is None
        assert await tokens.verify("", T0) is None
        assert await tokens.revoke(found.id) is True
        assert await tokens.revoke(found.id) is False

    async with db.transaction() as session:
        assert await TokenRepository(session).verify(admin, T0) is None
