"""The conseiller's walk-through of issue 4, end to end on the real app and database:
notified of an urgent housing referral, claim, read, reply, the person answers, book an
appointment, close with an outcome, see it in the indicators and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from api.notify.dispatch import deliver_due, escalate_unclaimed
from api.notify.senders import EmailSender
from bot.runtime import Inbound
from conversations.model import Event
from storage.models import OutboxMessage
from support.local_servers import smtp_sink
from support.webchat import WebChat


async def _conseiller(client: httpx.AsyncClient, admin: dict[str, str], structure: str) -> dict:
    created = await client.post(
        "/api/v1/tokens",
        json={"role": "conseiller", "structure": structure, "name": "Awa"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    account = created.json()
    patched = await client.patch(
        f"/api/v1/tokens/{account['id']}",
        json={"on_duty": True, "email": "awa@ml-cmv.example"},
        headers=admin,
    )
    assert patched.status_code == 200 and patched.json()["on_duty"] is True
    return {**account, "headers": {"Authorization": f"Bearer {account['token']}"}}


async def _urgent_housing(chat: WebChat) -> None:
    await chat.start()
    await chat.tap("entry.language.fr")
    await chat.tap("agree")
    await chat.tap("menu.main.housing")
    await chat.tap("street")


async def test_conseiller_walkthrough(
    app: FastAPI, client: httpx.AsyncClient, chat: WebChat, admin_headers: dict[str, str]
) -> None:
    awa = await _conseiller(client, admin_headers, "ml-cmv")
    other = await _conseiller(client, admin_headers, "cecler")
    await _urgent_housing(chat)

    async with smtp_sink() as (mailbox, port):
        sent = await deliver_due(
            app.state.services.db,
            {"email": EmailSender("127.0.0.1", port, "relais@test")},
            datetime.now(UTC),
        )
    assert sent == 2
    recipients = sorted(m["To"] for m in mailbox.messages)
    assert recipients == ["awa@ml-cmv.example", "orientations@ml-cmv.example"]
    body = mailbox.messages[0].get_payload()
    assert "urgency: urgent" in body and "theme: emergency" in body and "commune" not in body

    listed = await client.get("/api/v1/referrals?urgency=urgent", headers=awa["headers"])
    assert listed.headers["X-Total-Count"] == "1"
    referral = listed.json()[0]
    assert referral["assigned_to"] == awa["id"] and referral["status"] == "new"
    rid = referral["id"]
    assert (
        await client.get(f"/api/v1/referrals/{rid}", headers=other["headers"])
    ).status_code == 404

    claimed = await client.post(f"/api/v1/referrals/{rid}/claim", headers=awa["headers"])
    assert claimed.json()["status"] == "claimed"
    again = await client.post(f"/api/v1/referrals/{rid}/claim", headers=awa["headers"])
    assert again.status_code == 409
    detail = (await client.get(f"/api/v1/referrals/{rid}", headers=awa["headers"])).json()
    assert detail["intake"]["signals"] == ["homeless_tonight"]

    cursor = chat.cursor
    reply = await client.post(
        f"/api/v1/referrals/{rid}/replies",
        json={"text": "Bonjour, je vous appelle à 14h."},
        headers=awa["headers"],
    )
    assert reply.status_code == 201
    quick = await client.post(
        f"/api/v1/referrals/{rid}/replies",
        json={"template": "bring_papers"},
        headers=awa["headers"],
    )
    assert quick.status_code == 201
    later = (
        await client.get(f"/webchat/sessions/{chat.session_id}/messages", params={"after": cursor})
    ).json()
    texts = [m["text"] for m in later["messages"]]
    assert texts[0].startswith("Message de ton conseiller") and "(Awa)" in texts[0]
    assert texts[0].endswith("\nBonjour, je vous appelle à 14h.")
    assert "pièce d'identité" in texts[1]
    chat.last = later["messages"]
    await chat.tap(f"nav.reply.{rid}")
    await chat.say("ok merci, je serai dispo")
    messages = (
        await client.get(f"/api/v1/referrals/{rid}/messages", headers=awa["headers"])
    ).json()
    assert [m["direction"] for m in messages] == ["to_person", "to_person", "from_person"]
    assert messages[-1]["body"] == "ok merci, je serai dispo"

    slots = (await client.get("/api/v1/slots?place=ml-hq&limit=3", headers=awa["headers"])).json()
    booked = await client.post(
        f"/api/v1/referrals/{rid}/appointments",
        json={"slot_key": slots[0]["key"]},
        headers=awa["headers"],
    )
    assert booked.status_code == 201, booked.text
    after_booking = (
        await client.get(f"/webchat/sessions/{chat.session_id}/messages", params={"after": 0})
    ).json()["messages"]
    assert "Mission Locale" in after_booking[-1]["text"]

    no_outcome = await client.patch(
        f"/api/v1/referrals/{rid}", json={"status": "closed"}, headers=awa["headers"]
    )
    assert no_outcome.status_code == 422
    closed = await client.patch(
        f"/api/v1/referrals/{rid}",
        json={"status": "closed", "outcome": "housed"},
        headers=awa["headers"],
    )
    assert closed.json()["outcome"] == "housed"

    stats = (await client.get("/api/v1/stats", headers=admin_headers)).json()
    assert stats["referrals_by_outcome"] == {"housed": 1}
    assert stats["median_hours_to_first_contact"] is not None
    assert stats["people_accompanied"] == 1
    csv = await client.get("/api/v1/stats?format=csv", headers=awa["headers"])
    assert "referrals_by_outcome,housed,1" in csv.text

    audit = (await client.get(f"/api/v1/audit?actor_id={awa['id']}", headers=admin_headers)).json()
    assert {"claim", "read", "reply", "book", "status"} <= {a["action"] for a in audit}
    forbidden = await client.get("/api/v1/audit", headers=awa["headers"])
    assert forbidden.status_code == 403


async def test_unclaimed_urgent_referral_escalates_once(app: FastAPI, chat: WebChat) -> None:
    await _urgent_housing(chat)
    services = app.state.services
    delay = timedelta(minutes=30)
    now = datetime.now(UTC)
    assert await escalate_unclaimed(services.db, services.engine.deployment, delay, now) == 0
    later = now + timedelta(minutes=31)
    assert await escalate_unclaimed(services.db, services.engine.deployment, delay, later) == 1
    assert await escalate_unclaimed(services.db, services.engine.deployment, delay, later) == 0
    async with smtp_sink() as (mailbox, port):
        await deliver_due(services.db, {"email": EmailSender("127.0.0.1", port, "r@t")}, later)
    escalations = [m for m in mailbox.messages if "escalation" in m["Subject"]]
    assert [m["To"] for m in escalations] == ["astreinte@ml-cmv.example"]


async def test_conseiller_links_telegram_and_is_notified_there(
    app: FastAPI, client: httpx.AsyncClient, chat: WebChat, admin_headers: dict[str, str]
) -> None:
    awa = await _conseiller(client, admin_headers, "ml-cmv")
    link = await client.post("/api/v1/me/telegram-link", headers=awa["headers"])
    assert link.status_code == 201
    code = link.json()["code"]
    services = app.state.services
    sent = await services.runtime.handle(
        Inbound("telegram", "4242", Event.message(f"/link {code}"), message_id="u-1")
    )
    staff_conversation = sent.conversation_id
    again = await services.runtime.handle(
        Inbound("telegram", "5353", Event.message(f"/link {code}"), message_id="u-2")
    )
    await _urgent_housing(chat)
    async with smtp_sink() as (_, port):
        await deliver_due(
            services.db, {"email": EmailSender("127.0.0.1", port, "r@t")}, datetime.now(UTC)
        )
    async with services.db.transaction() as session:
        rows = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "telegram"))
        ).all()
    notified = [r for r in rows if r.body["text"].startswith("Relais")]
    assert [r.conversation_id for r in notified] == [staff_conversation]
    assert "urgent" in notified[0].body["text"] and again.conversation_id != staff_conversation


async def test_an_answer_to_the_adviser_that_tells_an_emergency_reaches_the_adviser(
    client: httpx.AsyncClient, chat: WebChat, admin_headers: dict[str, str]
) -> None:
    """The person taps "Reply" and writes that they were hit again: the answer is kept on
    the referral for the adviser (it used to be dropped for the emergency card), and the
    person gets the emergency numbers as well as the confirmation."""
    awa = await _conseiller(client, admin_headers, "ml-cmv")
    await _urgent_housing(chat)
    rid = (await client.get("/api/v1/referrals", headers=awa["headers"])).json()[0]["id"]
    cursor = chat.cursor
    sent = await client.post(
        f"/api/v1/referrals/{rid}/replies",
        json={"text": "Êtes-vous en sécurité maintenant ?"},
        headers=awa["headers"],
    )
    assert sent.status_code == 201
    chat.last = (
        await client.get(f"/webchat/sessions/{chat.session_id}/messages", params={"after": cursor})
    ).json()["messages"]
    await chat.tap(f"nav.reply.{rid}")
    answer = "il m'a encore frappée hier, je ne veux pas rentrer"
    await chat.say(answer)
    assert any(m["urgent"] for m in chat.last), "the emergency numbers, first"
    messages = (
        await client.get(f"/api/v1/referrals/{rid}/messages", headers=awa["headers"])
    ).json()
    assert [(m["direction"], m["body"]) for m in messages][-1] == ("from_person", answer)
    # The next message is an ordinary one again, not a second answer to the adviser.
    await chat.say("merci")
    messages = (
        await client.get(f"/api/v1/referrals/{rid}/messages", headers=awa["headers"])
    ).json()
    assert [m["body"] for m in messages if m["direction"] == "from_person"] == [answer]


async def test_what_the_person_types_after_talk_to_a_person_goes_with_the_request(
    client: httpx.AsyncClient, chat: WebChat, admin_headers: dict[str, str]
) -> None:
    """The referral of "talk to a person" had nothing to act on: the message typed right
    after it now lands on it; a button tapped instead cancels that."""
    awa = await _conseiller(client, admin_headers, "ml-cmv")
    await chat.start()
    await chat.tap("entry.language.en")
    await chat.tap("agree")
    await chat.tap("nav.human")
    need = "I need help with my residence permit renewal, the prefecture wants a paper"
    await chat.say(need)
    (referral,) = (await client.get("/api/v1/referrals", headers=awa["headers"])).json()
    messages = (
        await client.get(f"/api/v1/referrals/{referral['id']}/messages", headers=awa["headers"])
    ).json()
    assert [(m["direction"], m["body"]) for m in messages] == [("from_person", need)]

    other = WebChat(client)
    await other.start()
    await other.tap("entry.language.en")
    await other.tap("agree")
    await other.tap("nav.human")
    await other.tap("menu.main.housing")  # a button instead: the next text is an answer
    await other.say("at my friend's")
    assert "housing.age.18_25" in other.payloads()
    listed = (await client.get("/api/v1/referrals", headers=awa["headers"])).json()
    theirs = next(r for r in listed if r["id"] != referral["id"])
    messages = (
        await client.get(f"/api/v1/referrals/{theirs['id']}/messages", headers=awa["headers"])
    ).json()
    assert messages == []


async def test_an_answer_on_a_closed_case_reaches_the_conseiller(
    app: FastAPI, client: httpx.AsyncClient, chat: WebChat, admin_headers: dict[str, str]
) -> None:
    """The person is told "Sent to your adviser": on a closed case nobody looked at it
    again. The assigned conseiller is now notified of every answer, closed case or not."""
    awa = await _conseiller(client, admin_headers, "ml-cmv")
    await _urgent_housing(chat)
    rid = (await client.get("/api/v1/referrals", headers=awa["headers"])).json()[0]["id"]
    await client.post(f"/api/v1/referrals/{rid}/claim", headers=awa["headers"])
    cursor = chat.cursor
    said = {"text": "On se voit jeudi."}
    await client.post(f"/api/v1/referrals/{rid}/replies", json=said, headers=awa["headers"])
    closed = await client.patch(
        f"/api/v1/referrals/{rid}",
        json={"status": "closed", "outcome": "housed"},
        headers=awa["headers"],
    )
    assert closed.status_code == 200, closed.text
    async with smtp_sink() as (mailbox, port):
        sender = {"email": EmailSender("127.0.0.1", port, "relais@test")}
        await deliver_due(app.state.services.db, sender, datetime.now(UTC))
        before = len(mailbox.messages)
        chat.last = (
            await client.get(
                f"/webchat/sessions/{chat.session_id}/messages", params={"after": cursor}
            )
        ).json()["messages"]
        await chat.tap(f"nav.reply.{rid}")
        await chat.say("finalement je ne peux pas jeudi, on peut changer ?")
        await deliver_due(app.state.services.db, sender, datetime.now(UTC))
    new = mailbox.messages[before:]
    assert [m["To"] for m in new] == ["awa@ml-cmv.example"]
    assert "person_replied" in new[0]["Subject"] and f"#{rid}" in new[0]["Subject"]
