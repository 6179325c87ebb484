"""Rate limits of the channels behind one small interface, `await limiter.take(key)`.

A key is `<bucket name>:<subject>` — `webchat.ip:203.0.113.9`, `telegram.chat:42` — and
the limiter knows each bucket's rate and burst. Two implementations:

- `MemoryLimiter` (here): token buckets in this process's memory, for SQLite and one
  process;
- `storage.limits.PostgresLimiter`: the same buckets in PostgreSQL, shared by every
  instance of a deployment (chosen by the composition root, relais/wiring.py).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final, Protocol

from storage.limits import Bucket

__all__ = ["Bucket", "Limiter", "Limits", "MemoryLimiter", "TokenBuckets", "channel_buckets"]

# Bucket names (the part of a key before the first ":").
WEBCHAT_IP: Final = "webchat.ip"
WEBCHAT_NEW_SESSION: Final = "webchat.new"
WEBCHAT_PERSON: Final = "webchat.person"
TELEGRAM_PERSON: Final = "telegram.person"
TELEGRAM_BOT: Final = "telegram.bot"
TELEGRAM_CHAT: Final = "telegram.chat"
NOTIFY_KIND: Final = "notify.kind"
NOTIFY_TARGET: Final = "notify.target"


class Limiter(Protocol):
    async def take(self, *keys: str) -> float:
        """One token from the bucket of each key: 0.0 when every bucket had one, else the
        seconds to wait (for the slowest of them)."""
        ...


@dataclass(frozen=True)
class Limits:
    # Everything under /webchat from one address (a bus tablet, a school behind NAT).
    per_ip: Bucket = field(default_factory=lambda: Bucket(rate=50, burst=1000))
    # New conversations from one address.
    new_sessions_per_ip: Bucket = field(default_factory=lambda: Bucket(rate=2, burst=200))
    # One person (one session id): far above what a person taps, far below a script.
    per_person: Bucket = field(default_factory=lambda: Bucket(rate=5, burst=60))


def channel_buckets(
    limits: Limits | None = None,
    telegram_overall: float = 30.0,
    telegram_per_chat: float = 1.0,
    notify_per_second: float = 10.0,
) -> dict[str, Bucket]:
    """Every bucket of the channels, by name. Outgoing messages queue (each gets its own
    slot, paced); incoming requests over their limit are refused."""
    limits = limits or Limits()
    return {
        WEBCHAT_IP: limits.per_ip,
        WEBCHAT_NEW_SESSION: limits.new_sessions_per_ip,
        WEBCHAT_PERSON: limits.per_person,
        TELEGRAM_PERSON: limits.per_person,
        TELEGRAM_BOT: Bucket(rate=telegram_overall, burst=1, queue=True),
        TELEGRAM_CHAT: Bucket(rate=telegram_per_chat, burst=1, queue=True),
        NOTIFY_KIND: Bucket(rate=notify_per_second, burst=notify_per_second, queue=True),
        # One mailbox or webhook: bursts of new referrals pass, a storm is spread out.
        NOTIFY_TARGET: Bucket(rate=1, burst=20, queue=True),
    }


class TokenBuckets:
    """In-memory token buckets by key; the least recently used are forgotten first."""

    def __init__(
        self, bucket: Bucket, capacity: int = 50_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.bucket = bucket
        self.capacity = capacity
        self.clock = clock
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        """Take one token: 0.0 when allowed, else the seconds to wait for one (a queueing
        bucket books that token: the next caller waits one more interval)."""
        now = self.clock()
        tokens, last = self._state.pop(key, (self.bucket.burst, now))
        tokens = min(self.bucket.burst, tokens + max(0.0, now - last) * self.bucket.rate)
        wait = 0.0
        if tokens < 1:
            wait = (1 - tokens) / self.bucket.rate
        if tokens >= 1 or self.bucket.queue:
            tokens -= 1
        self._state[key] = (tokens, max(now, last))
        while len(self._state) > self.capacity:
            self._state.popitem(last=False)
        return wait


class MemoryLimiter:
    """`Limiter` over in-memory token buckets: the limits of one process."""

    def __init__(
        self, buckets: Mapping[str, Bucket], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.buckets = {name: TokenBuckets(b, clock=clock) for name, b in buckets.items()}

    async def take(self, *keys: str) -> float:
        waits = [0.0]
        for key in keys:
            name, _, subject = key.partition(":")
            waits.append(self.buckets[name].take(subject))
        return max(waits)
