"""Outbound pacing for the Bot API: about 30 messages a second overall, one a second per
chat, and a pause for everyone when Telegram answers 429 with `retry_after`.

Single-threaded asyncio: the check and the reservation happen without an `await` in
between, so concurrent senders never take the same slot. Clock and sleep are injectable.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    def __init__(
        self,
        overall_per_second: float = 30.0,
        per_chat_per_second: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._overall = 1.0 / overall_per_second
        self._per_chat = 1.0 / per_chat_per_second
        self._clock = clock
        self._sleep = sleep
        self._next_any = 0.0
        self._next_chat: dict[int, float] = {}
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Telegram asked us to wait (429): nobody sends before `seconds` have passed."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def wait(self, chat_id: int) -> None:
        """Return when a message to `chat_id` may be sent, and reserve that slot."""
        while True:
            now = self._clock()
            ready = max(self._paused_until, self._next_any, self._next_chat.get(chat_id, 0.0))
            if ready <= now:
                break
            await self._sleep(ready - now)
        self._next_any = now + self._overall
        self._next_chat[chat_id] = now + self._per_chat
        if len(self._next_chat) > 10_000:
            self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
