"""Two structures' worlds for the scoping tests (issue 20): conseiller A of `ml-cmv` and
conseiller B of `cecler`, and B's case-related objects, each carrying a marker that must
never reach A."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from storage import (
    AppointmentRepository,
    ConversationRepository,
    IntakeRepository,
    ReferralRepository,
    TokenRepository,
)

# B's places and services in the sample directory: only CéCler serves maison-cesam.
B_PLACE = "maison-cesam"
B_SERVICE = "cecler-chrs"
B_STAND = "cecler-stand"
MARKERS = ("B-SECRET-NOTE", "B-SECRET-REPLY", "B-SECRET-STAND", "B-SECRET-CLOSURE")


@dataclass
class Staff:
    id: int
    headers: dict[str, str]


@dataclass
class World:
    a: Staff
    b: Staff
    referral: int = 0
    intake: int = 0
    appointment: int = 0
    appointment_day: str = ""
    opening: int = 0
    closure: int = 0
    ids: dict[str, set[int]] = field(default_factory=dict)


async def staff(app: FastAPI, role: str, structure: str | None, name: str = "Awa") -> Staff:
    async with app.state.services.db.transaction() as session:
        tokens = TokenRepository(session)
        token = await tokens.create(role, name=name, structure=structure)
        account = await tokens.verify(token)
        assert account is not None
    return Staff(account.id, {"Authorization": f"Bearer {token}"})


async def b_world(app: FastAPI, client: httpx.AsyncClient) -> World:
    """A and B, and B's referral (with intake, conversation, a note and a reply), an
    appointment of B's service at B's place, B's opening and B's closure."""
    world = World(
        await staff(app, "conseiller", "ml-cmv"), await staff(app, "conseiller", "cecler")
    )
    # Mid-morning UTC, so the slot falls on the same calendar day in Europe/Paris whatever
    # the hour the tests run at (the agenda is per local day).
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    async with app.state.services.db.transaction() as session:
        conversation = await ConversationRepository(session).create(
            "b" * 64, "web", "fr", {"lang": "fr", "consent": True}
        )
        intake = await IntakeRepository(session).add(
            conversation_id=conversation.id,
            theme="housing",
            lang="fr",
            channel="web",
            source="B-SECRET-SOURCE",
        )
        referral = await ReferralRepository(session).add(
            intake_id=intake.id,
            conversation_id=conversation.id,
            theme="housing",
            reason="journey",
            structure="cecler",
            lang="fr",
            summary={"note": "B-SECRET-SUMMARY"},
        )
        appointment = await AppointmentRepository(session).book(
            conversation_id=conversation.id,
            slot_key=f"{B_PLACE}:{starts:%Y%m%d%H%M}",
            place_id=B_PLACE,
            service=B_SERVICE,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=30),
            capacity=2,
            lang="fr",
        )
        assert appointment is not None
    world.referral, world.intake, world.appointment = referral.id, intake.id, appointment.id
    world.appointment_day = starts.date().isoformat()
    b = world.b.headers
    base = f"/api/v1/referrals/{referral.id}"
    note = await client.post(f"{base}/notes", json={"body": "B-SECRET-NOTE"}, headers=b)
    assert note.status_code == 201, note.text
    reply = await client.post(f"{base}/replies", json={"text": "B-SECRET-REPLY"}, headers=b)
    assert reply.status_code == 201, reply.text
    opening = await client.post(
        "/api/v1/openings",
        json={
            "kind": "one_off",
            "place_id": B_STAND,
            "name": "B-SECRET-STAND",
            "service": "cecler-workshops",
            "starts_at": (starts + timedelta(days=1)).isoformat(),
            "ends_at": (starts + timedelta(days=1, hours=2)).isoformat(),
            "announce": False,
        },
        headers=b,
    )
    assert opening.status_code == 201, opening.text
    world.opening = opening.json()["id"]
    closure = await client.post(
        "/api/v1/closures",
        json={
            "place_id": B_PLACE,
            "starts_at": (starts + timedelta(days=10)).isoformat(),
            "ends_at": (starts + timedelta(days=11)).isoformat(),
            "reason": "B-SECRET-CLOSURE",
        },
        headers=b,
    )
    assert closure.status_code == 201, closure.text
    world.closure = closure.json()["id"]
    world.ids = {
        "referral": {world.referral},
        "intake": {world.intake},
        "appointment": {world.appointment},
        "opening": {world.opening},
        "closure": {world.closure},
    }
    return world
