"""In-memory token buckets, the per-process limits of the channels (one process, SQLite)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    """`rate` tokens per second, up to `burst` saved."""

    rate: float
    burst: float


@dataclass(frozen=True)
class Limits:
    # Everything under /webchat from one address (a bus tablet, a school behind NAT).
    per_ip: Bucket = Bucket(rate=50, burst=1000)
    # New conversations from one address.
    new_sessions_per_ip: Bucket = Bucket(rate=2, burst=200)
    # One person (one session id): far above what a person taps, far below a script.
    per_person: Bucket = Bucket(rate=5, burst=60)


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
        """Take one token: 0.0 when allowed, else the seconds to wait for one."""
        now = self.clock()
        tokens, last = self._state.pop(key, (self.bucket.burst, now))
        tokens = min(self.bucket.burst, tokens + (now - last) * self.bucket.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.bucket.rate
        self._state[key] = (tokens, now)
        while len(self._state) > self.capacity:
            self._state.popitem(last=False)
        return wait
