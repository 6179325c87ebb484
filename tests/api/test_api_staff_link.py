"""`/link CODE` ties a conseiller's notifications to a Telegram chat, and nothing else
(issue 20: a code was redeemed from the anonymous web chat). The code is single-use, and
five wrong codes, from whatever chats, void every code waiting."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from bot.runtime import Inbound
from conversations.model import Event
from storage.models import ApiToken
from support.structures import Staff, staff
from support.webchat import WebChat


async def _code(client: httpx.AsyncClient, who: Staff) -> str:
    offered = await client.post("/api/v1/me/telegram-link", headers=who.headers)
    assert offered.status_code == 201
    return str(offered.json()["code"])


async def _account(app: FastAPI, who: Staff) -> ApiToken:
    async with app.state.services.db.transaction() as session:
        account = await session.get(ApiToken, who.id)
    assert account is not None
    return account


async def _telegram(app: FastAPI, chat: str, text: str) -> None:
    await app.state.services.runtime.handle(Inbound("telegram", chat, Event.message(text)))


async def test_link_from_the_web_chat_links_nothing(
    app: FastAPI, client: httpx.AsyncClient, chat: WebChat
) -> None:
    awa = await staff(app, "conseiller", "ml-cmv")
    code = await _code(client, awa)
    await chat.start(lang="fr")
    await chat.say(f"/link {code}")
    account = await _account(app, awa)
    assert account.telegram_conversation_id is None
    assert account.telegram_link_code == code  # not spent either
    await _telegram(app, "4242", f"/link {code}")
    linked = await _account(app, awa)
    assert linked.telegram_conversation_id is not None and linked.telegram_link_code is None
    # Single use: the same code from another chat changes nothing.
    await _telegram(app, "4343", f"/link {code}")
    assert (await _account(app, awa)).telegram_conversation_id == linked.telegram_conversation_id


async def test_five_wrong_codes_from_any_chats_void_the_waiting_codes(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    awa, ben = await staff(app, "conseiller", "ml-cmv"), await staff(app, "admin", None)
    code, other = await _code(client, awa), await _code(client, ben)
    wrong = [f"{n:08d}" for n in range(10**8 - 1, 10**8 - 8, -1)]
    wrong = [guess for guess in wrong if guess not in {code, other}][:5]
    for n, guess in enumerate(wrong[:4]):
        await _telegram(app, f"90{n}", f"/link {guess}")
    assert (await _account(app, awa)).telegram_link_code == code  # four: still waiting
    await _telegram(app, "999", f"/link {wrong[4]}")
    assert (await _account(app, awa)).telegram_link_code is None
    assert (await _account(app, ben)).telegram_link_code is None
    await _telegram(app, "4242", f"/link {code}")
    assert (await _account(app, awa)).telegram_conversation_id is None
    # A new code starts with a clean count.
    fresh = await _code(client, awa)
    await _telegram(app, "4242", f"/link {fresh}")
    assert (await _account(app, awa)).telegram_conversation_id is not None
