"""The outbox dispatcher against the fake Bot API, with both libraries and both databases:
429 retry_after honoured, 403 marks the person unreachable without retrying, outages
lose nothing, other errors give up after a few attempts, pacing per chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from bot.runtime import Inbound, Runtime
from bot.telegram.channel import make_client
from bot.telegram.client import BotClient
from bot.telegram.dispatcher import Dispatcher
from bot.telegram.ratelimit import RateLimiter
from conversations.model import Event
from storage import OutboxRepository
from storage.models import ChannelAddress, OutboxMessage
from storage.sealing import AddressSealer
from support.telegram_app import new_token
from support.telegram_fake_api import (
    BAD_REQUEST,
    CONFLICT,
    SERVER_ERROR,
    TOO_MANY,
    FakeBotApi,
)


@dataclass
class Rig:
    app: FastAPI
    runtime: Runtime
    sealer: AddressSealer
    dispatcher: Dispatcher
    fake: FakeBotApi
    client: BotClient
    update_id: int = 0

    async def say(self, user_id: int, event: Event | None = None) -> int:
        """A person's update, as the Telegram handler would pass it to the runtime."""
        self.update_id += 1
        outcome = await self.runtime.handle(
            Inbound(
                "telegram",
                str(user_id),
                event or Event.start("en"),
                message_id=str(self.update_id),
                address=self.sealer.seal(str(user_id)),
            )
        )
        return outcome.conversation_id

    async def outbox(self) -> list[tuple[str, int]]:
        async with self.runtime.db.transaction() as session:
            rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            return [(r.status, r.attempts) for r in rows]

    def sent_to(self, chat_id: int) -> list[str]:
        calls = self.fake.called("sendMessage")
        return [str(c.params["text"]) for c in calls if int(c.params["chat_id"]) == chat_id]


@pytest.fixture
async def rig(app: FastAPI, fake_api: FakeBotApi, library: str) -> AsyncIterator[Rig]:
    services = app.state.services
    client: BotClient = make_client(library, new_token(), fake_api.url)
    sealer = AddressSealer(b"test-key")
    dispatcher = Dispatcher(
        services.db, client, sealer, RateLimiter(1000, 1000), backoff=(0.01, 0.05)
    )
    try:
        yield Rig(app, services.runtime, sealer, dispatcher, fake_api, client)
    finally:
        await client.close()


async def test_delivers_in_order_and_marks_delivered(rig: Rig) -> None:
    await rig.say(42)
    await rig.dispatcher.deliver_batch()
    assert rig.sent_to(42) and rig.sent_to(42)[0].startswith("Hello, I am Relais")
    assert {status for status, _ in await rig.outbox()} == {"delivered"}


async def test_429_waits_retry_after_and_sends_once(rig: Rig) -> None:
    await rig.say(42)
    rig.fake.script("sendMessage", TOO_MANY)
    first = await rig.dispatcher.deliver_batch()
    assert first.released and not first.delivered
    assert await rig.outbox() == [("pending", 0)]
    await rig.dispatcher.deliver_batch()
    calls = rig.fake.called("sendMessage")
    assert len(calls) == 2 and calls[1].at - calls[0].at >= 0.95
    assert await rig.outbox() == [("delivered", 1)]


async def test_403_marks_unreachable_and_never_retries(rig: Rig) -> None:
    blocked = await rig.say(42)
    await rig.say(43)
    rig.fake.block(42)
    await rig.dispatcher.deliver_batch()
    assert len(rig.sent_to(42)) == 1 and rig.sent_to(43)
    async with rig.runtime.db.transaction() as session:
        address = await session.get(ChannelAddress, blocked)
        assert address is not None and address.unreachable_at is not None
        # Later news for this person (e.g. an adviser's answer) is not even attempted.
        await OutboxRepository(session).add(blocked, "telegram", {"text": "News", "buttons": []})
    await rig.dispatcher.deliver_batch()
    await rig.dispatcher.deliver_batch()
    assert len(rig.sent_to(42)) == 1
    assert [s for s, _ in await rig.outbox()] == ["failed", "delivered", "failed"]


async def test_writing_again_makes_a_person_reachable(rig: Rig) -> None:
    conversation = await rig.say(42)
    rig.fake.block(42)
    await rig.dispatcher.deliver_batch()
    rig.fake.unblock(42)
    await rig.say(42, Event.message("/menu"))
    async with rig.runtime.db.transaction() as session:
        address = await session.get(ChannelAddress, conversation)
        assert address is not None and address.unreachable_at is None
    await rig.dispatcher.deliver_batch()
    assert [s for s, _ in await rig.outbox()] == ["failed", "delivered"]


async def test_outage_loses_nothing_and_counts_no_attempt(rig: Rig) -> None:
    await rig.say(42)
    rig.fake.script("sendMessage", SERVER_ERROR, SERVER_ERROR)
    assert (await rig.dispatcher.deliver_batch()).outage
    assert (await rig.dispatcher.deliver_batch()).outage
    assert await rig.outbox() == [("pending", 0)]
    await rig.dispatcher.deliver_batch()
    assert await rig.outbox() == [("delivered", 1)]


async def test_unexpected_errors_give_up_after_max_attempts(rig: Rig) -> None:
    await rig.say(42)
    rig.fake.script("sendMessage", *[CONFLICT] * 10)
    for _ in range(7):
        await rig.dispatcher.deliver_batch()
    assert len(rig.fake.called("sendMessage")) == 5
    assert await rig.outbox() == [("failed", 5)]


async def test_bad_request_fails_at_once(rig: Rig) -> None:
    await rig.say(42)
    rig.fake.script("sendMessage", BAD_REQUEST)
    await rig.dispatcher.deliver_batch()
    await rig.dispatcher.deliver_batch()
    assert len(rig.fake.called("sendMessage")) == 1
    assert await rig.outbox() == [("failed", 1)]


async def test_one_message_per_second_per_chat(rig: Rig, fake_api: FakeBotApi) -> None:
    await rig.say(42)
    await rig.say(42, Event.button("entry.language.en"))  # a second message for chat 42
    await rig.say(43)
    paced = Dispatcher(rig.runtime.db, rig.client, rig.sealer, RateLimiter(30, 1))
    await paced.deliver_batch()
    calls = fake_api.called("sendMessage")
    to_42 = [c.at for c in calls if int(c.params["chat_id"]) == 42]
    to_43 = [c.at for c in calls if int(c.params["chat_id"]) == 43]
    assert len(to_42) == 2 and to_42[1] - to_42[0] >= 0.95
    assert to_43[0] - to_42[0] < 0.5  # another chat does not wait for chat 42
