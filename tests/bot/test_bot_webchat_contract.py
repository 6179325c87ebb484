"""Web chat API contract: errors, idempotency, consent, cursors and booking capacity."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from storage.models import Appointment, Conversation, InboundMessage, Intake, Referral, Slot
from support.webchat import WebChat


async def _count(app: FastAPI, model: type) -> int:
    async with app.state.services.db.transaction() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_unknown_session_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post("/webchat/sessions/nope/messages", json={"text": "hi"})
    assert response.status_code == 404
    assert (await client.get("/webchat/sessions/nope/messages")).status_code == 404


@pytest.mark.parametrize(
    "body",
    [{}, {"text": "a", "payload": "b"}, {"text": 3}, {"text": "a", "extra": 1}, [], "x"],
)
async def test_malformed_message_is_422_with_details(
    chat: WebChat, client: httpx.AsyncClient, body: object
) -> None:
    await chat.start(lang="en")
    response = await client.post(f"/webchat/sessions/{chat.session_id}/messages", json=body)
    assert response.status_code == 422
    assert response.json()["detail"]


async def test_malformed_session_body_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/webchat/sessions", json={"source": "<script>"})
    assert response.status_code == 422


async def test_duplicate_message_id_is_processed_once(chat: WebChat, app: FastAPI) -> None:
    await chat.start(lang="en")
    await chat.tap("entry.language.en")
    await chat.tap("agree")
    await chat.tap("menu.main.housing")
    await chat.say("I do not know", message_id="m-1")
    first = chat.last
    async with app.state.services.db.transaction() as session:
        version = (await session.scalars(select(Conversation.version))).one()
    await chat.say("I do not know", message_id="m-1")
    assert chat.last == first
    async with app.state.services.db.transaction() as session:
        assert (await session.scalars(select(Conversation.version))).one() == version
    assert await _count(app, InboundMessage) == 1


async def test_consent_refused_keeps_nothing_personal(chat: WebChat, app: FastAPI) -> None:
    await chat.start()
    await chat.tap("entry.language.fr")
    await chat.tap("refuse")
    assert "info.menu.numbers" in chat.payloads()
    await chat.tap("info.menu.numbers")
    assert "115" in chat.text() and "3114" in chat.text()
    await chat.say("je dors dehors ce soir")
    assert chat.last[0]["urgent"]
    await chat.tap("nav.human")
    await chat.tap("nav.menu")
    await chat.tap("info.menu.cej")
    await chat.tap("join")
    assert "entry.consent.agree" in chat.payloads()
    assert await _count(app, Intake) == 0
    assert await _count(app, Referral) == 0
    async with app.state.services.db.transaction() as session:
        state = (await session.scalars(select(Conversation.state))).one()
    assert state["answers"] == {} and state["profile"] == {} and state["signals"] == []


async def test_emergency_interrupts_a_journey_and_resumes_it(chat: WebChat, app: FastAPI) -> None:
    await chat.start(lang="en")
    await chat.tap("entry.language.en")
    await chat.tap("agree")
    await chat.tap("menu.main.aid")
    await chat.tap("general_support")
    await chat.say("I want to kill myself")
    assert chat.last[0]["urgent"] and "3114" in chat.text()
    assert "aid.age.18_25" in chat.payloads()
    async with app.state.services.db.transaction() as session:
        referral = (await session.scalars(select(Referral))).one()
    assert (referral.urgency, referral.reason) == ("urgent", "emergency")
    assert referral.role == "ml-cmv-psychologist"


async def test_later_messages_are_fetched_by_cursor(
    chat: WebChat, client: httpx.AsyncClient
) -> None:
    await chat.start(lang="en")
    url = f"/webchat/sessions/{chat.session_id}/messages"
    response = await client.get(url, params={"after": chat.cursor})
    assert response.json() == {"messages": [], "cursor": chat.cursor}
    everything = (await client.get(url, params={"after": 0})).json()
    assert everything["messages"] == chat.last and everything["cursor"] == chat.cursor


async def test_concurrent_bookings_never_exceed_capacity(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    people = [WebChat(client) for _ in range(50)]

    async def reach_confirm(chat: WebChat) -> None:
        await chat.start(lang="en")
        await chat.tap("entry.language.en")
        await chat.tap("agree")
        await chat.tap("menu.main.appointment")
        await chat.tap("other")
        await chat.tap("appointment.place.perm-bus-jaude")
        await chat.tap(sorted(p for p in chat.payloads() if p.startswith("appointment.day."))[0])
        await chat.tap(sorted(p for p in chat.payloads() if p.startswith("appointment.time."))[0])

    for chat in people:
        await reach_confirm(chat)
    await asyncio.gather(*(chat.tap("appointment.confirm.yes") for chat in people))
    booked = [c for c in people if "✅" in c.text()]
    assert len(booked) == 2  # the bus stop slots hold 2 people
    assert all("appointment.day." in " ".join(c.payloads()) for c in people if c not in booked)
    async with app.state.services.db.transaction() as session:
        slot = (await session.scalars(select(Slot))).one()
        assert (slot.capacity, slot.booked) == (2, 2)
    assert await _count(app, Appointment) == 2
