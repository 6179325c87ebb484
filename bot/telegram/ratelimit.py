"""Outbound pacing for the Bot API: about 30 messages a second overall, one a second per
chat, and a pause for everyone when Telegram answers 429 with `retry_after`.

The pace is kept in queueing token buckets (`bot/ratelimit.py`): each message books the
chat's next slot, waits for it, then books the bot's next slot and waits again, so a
slow chat never holds a slot of the bot. With the shared limiter (PostgreSQL) the slots
are those of every instance together: two instances sending for the same bot stay
within its rate. Clock and sleep are injectable.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.ratelimit import TELEGRAM_BOT, TELEGRAM_CHAT, Limiter, MemoryLimiter, channel_buckets

Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    def __init__(
        self,
        overall_per_second: float = 30.0,
        per_chat_per_second: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        limiter: Limiter | None = None,
        bot: str = "bot",
    ) -> None:
        """`limiter`: the deployment's limiter (its telegram.* buckets then hold the
        rates); by default in-memory buckets at the two rates given."""
        buckets = channel_buckets(
            telegram_overall=overall_per_second, telegram_per_chat=per_chat_per_second
        )
        self._limiter = limiter or MemoryLimiter(buckets, clock=clock)
        self._clock = clock
        self._sleep = sleep
        self._bot = bot
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Telegram asked us to wait (429): nobody sends before `seconds` have passed."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def _wait_out_pause(self) -> None:
        while (left := self._paused_until - self._clock()) > 0:
            await self._sleep(left)

    async def wait(self, chat_id: int) -> None:
        """Return when a message to `chat_id` may be sent (its slot is then taken)."""
        await self._wait_out_pause()
        for key in (f"{TELEGRAM_CHAT}:{chat_id}", f"{TELEGRAM_BOT}:{self._bot}"):
            wait = await self._limiter.take(key)
            if wait > 0:
                await self._sleep(wait)
        await self._wait_out_pause()
