"""Outbox → Telegram, after commit: claim a batch, send each chat's messages in order at the
allowed pace, then record every outcome in one transaction.

429 pauses everyone for `retry_after` and the message goes back to pending, uncounted;
403 marks the person unreachable and fails their messages (no retry); 400 fails the
message; an outage (network, 5xx) backs off and loses nothing; any other error counts an
attempt, and the outbox gives up after `max_attempts`.

With several instances, only the holder of the bot's lease sends (so each person's
messages leave in order, from one place); the others stand by. An instance taking the
lease over first returns to pending what the previous holder had claimed and not
recorded — it died in the middle of a batch — and sends it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from bot.speech import Speech
from bot.telegram.client import Blocked, BotClient, Rejected, RetryAfter, TelegramError, Unreachable
from bot.telegram.ratelimit import RateLimiter
from bot.telegram.render import render
from bot.telegram.voice_notes import voice_note
from storage import Database, OutboxRepository
from storage.availability import database_unavailable
from storage.channel_addresses import ChannelAddressRepository
from storage.deliveries import Delivery, DeliveryRepository
from storage.leases import Lease
from storage.sealing import AddressSealer, AddressUnreadable

log = logging.getLogger(__name__)
CHANNEL = "telegram"


@dataclass
class _Report:
    delivered: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # permanently
    retry: list[int] = field(default_factory=list)  # one attempt counted
    released: list[int] = field(default_factory=list)  # untouched, back to pending
    unreachable: set[int] = field(default_factory=set)  # conversation ids
    outage: bool = False


def chat_id_of(address: str, legacy: AddressSealer) -> int:
    """The chat id of a stored address: sealed by its column since migration 0009, or a
    token of the older address key (rows written before; still readable)."""
    if address.lstrip("-").isdigit():
        return int(address)
    return int(legacy.open(address))


class Dispatcher:
    # Reads replies aloud for people who turned 🔊 on (set by the composition root).
    speech: Speech | None = None

    def __init__(
        self,
        db: Database,
        client: BotClient,
        sealer: AddressSealer,
        limiter: RateLimiter,
        *,
        batch: int = 50,
        idle_seconds: float = 1.0,
        backoff: tuple[float, float] = (1.0, 60.0),
        max_attempts: int = 5,
        lease: Lease | None = None,
    ) -> None:
        self._lease = lease
        self._db, self._client, self._sealer, self._limiter = db, client, sealer, limiter
        self._batch, self._idle, self._max_attempts = batch, idle_seconds, max_attempts
        self._backoff_min, self._backoff_max = backoff
        self._backoff = 0.0
        self._wake = asyncio.Event()
        self._unrecorded: _Report | None = None

    def wake(self) -> None:
        """New messages were committed: look at the outbox now rather than at the next tick."""
        self._wake.set()

    async def run(self) -> None:
        reset = False
        while True:
            self._wake.clear()
            if self._lease is not None and not self._lease.held:
                reset = False  # taking the role over starts with the leftovers
                await asyncio.sleep(self._idle)
                continue
            try:
                if not reset:  # claims left behind by a crash go back to pending
                    async with self._db.transaction() as session:
                        await DeliveryRepository(session).reset(CHANNEL)
                    reset = True
                report = await self.deliver_batch()
            except Exception:
                log.exception("telegram dispatcher: batch failed")
                report = _Report(outage=True)
            if report.outage:
                self._backoff = min(max(self._backoff * 2, self._backoff_min), self._backoff_max)
                await asyncio.sleep(self._backoff)
                continue
            self._backoff = 0.0
            if not (report.delivered or report.released or report.retry or report.failed):
                try:
                    await asyncio.wait_for(self._wake.wait(), self._idle)
                except TimeoutError:
                    pass

    async def deliver_batch(self) -> _Report:
        # What was sent while the database was away is recorded before anything new is
        # claimed, so nothing sent is sent again and nothing stays claimed.
        if self._unrecorded is not None:
            await self._record(self._unrecorded)
            self._unrecorded = None
        async with self._db.transaction() as session:
            claimed = await DeliveryRepository(session).claim(CHANNEL, self._batch)
        per_chat: dict[int, list[Delivery]] = defaultdict(list)
        for delivery in claimed:
            per_chat[delivery.conversation_id].append(delivery)
        report = _Report()
        await asyncio.gather(*(self._send_chat(items, report) for items in per_chat.values()))
        self._unrecorded = report
        await self._record(report)
        self._unrecorded = None
        return report

    async def _record(self, report: _Report) -> None:
        async with self._db.transaction() as session:
            outbox = OutboxRepository(session)
            await outbox.mark_delivered(report.delivered)
            await DeliveryRepository(session).release(
                report.released + report.retry + report.failed
            )
            await outbox.mark_failed(report.retry, max_attempts=self._max_attempts)
            await outbox.mark_failed(report.failed, max_attempts=1)
            addresses = ChannelAddressRepository(session)
            for conversation_id in report.unreachable:
                await addresses.mark_unreachable(conversation_id)

    async def _send_chat(self, items: list[Delivery], report: _Report) -> None:
        """One person's messages, strictly in order: a failure holds back the later ones."""
        for index, delivery in enumerate(items):
            later = [d.message_id for d in items[index + 1 :]]
            try:
                await self._send(delivery)
            except RetryAfter as exc:
                self._limiter.pause(exc.seconds)
                report.released += [delivery.message_id, *later]
                return
            except Blocked:
                log.info("telegram: conversation %s blocked the bot", delivery.conversation_id)
                report.unreachable.add(delivery.conversation_id)
                report.failed += [delivery.message_id, *later]
                return
            except (Rejected, AddressUnreadable, ValueError) as exc:
                log.error("telegram: message %s refused: %s", delivery.message_id, exc)
                report.failed.append(delivery.message_id)
                continue
            except Unreachable as exc:
                log.warning("telegram: Bot API unreachable: %s", exc)
                report.outage = True
                report.released += [delivery.message_id, *later]
                return
            except TelegramError as exc:
                log.warning("telegram: message %s failed: %s", delivery.message_id, exc)
                report.retry.append(delivery.message_id)
                report.released += later
                return
            except Exception as exc:
                # The shared pace lives in the database: away, nothing was sent.
                if not database_unavailable(exc):
                    raise
                report.outage = True
                report.released += [delivery.message_id, *later]
                return
            report.delivered.append(delivery.message_id)

    async def _send(self, delivery: Delivery) -> None:
        if delivery.unreachable:
            raise Blocked("the person blocked the bot")
        if delivery.address is None:
            raise Rejected("no address for this conversation")
        chat_id = chat_id_of(delivery.address, self._sealer)
        if (audio := await voice_note(self.speech, delivery.body)) is not None:
            await self._limiter.wait(chat_id)
            await self._client.send_voice(chat_id, audio)
        for message in render(delivery.body):
            await self._limiter.wait(chat_id)
            await self._client.send_message(chat_id, message.text, message.keyboard)
