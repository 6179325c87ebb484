"""Failed authentications on the admin API, per client address: a limit and a trace.

Each wrong token takes one token from the address's bucket in the deployment's limiter
(`storage.limits.PostgresLimiter` on PostgreSQL, shared by every instance; in memory on
SQLite, one process): 20 failures at once, then one every 6 seconds. When the bucket is
empty the failure is answered 429 with Retry-After, and this instance refuses the address
(429, without even looking at the token: a right guess would not be told apart) until the
bucket has a token again. With several instances each learns of an exhausted bucket at its
own next failure from that address, so the whole deployment lets through at most one
more guess per instance per period.

Failed authentications are logged with a keyed hash of the client address (the same
address gives the same hash, to act on), never the address itself.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final, Protocol

from storage.limits import Bucket

FAILED_LOGINS: Final = "api.failed_login"
LOGIN_BUCKETS: Final = {FAILED_LOGINS: Bucket(rate=1 / 6, burst=20)}

log = logging.getLogger("relais.auth")


class Limiter(Protocol):
    async def take(self, *keys: str) -> float: ...


class FailedLogins:
    def __init__(
        self,
        limiter: Limiter,
        key: bytes,
        clock: Callable[[], float] = time.monotonic,
        capacity: int = 10_000,
    ) -> None:
        self._limiter = limiter
        self._key = hashlib.sha256(b"relais client address v1" + key).digest()
        self._clock = clock
        self._capacity = capacity
        self._refused: OrderedDict[str, float] = OrderedDict()

    def client(self, address: str) -> str:
        """The address as logged: a keyed hash, the same for the same address."""
        return hmac.new(self._key, address.encode(), "sha256").hexdigest()[:16]

    def refused_for(self, address: str) -> int:
        """Seconds this address is still refused (0: it may try)."""
        until = self._refused.get(address)
        if until is None:
            return 0
        left = until - self._clock()
        if left <= 0:
            del self._refused[address]
            return 0
        return math.ceil(left)

    async def failed(self, address: str, reason: str) -> int:
        """Count a failure; the seconds to refuse the address from now on (0: none)."""
        wait = await self._limiter.take(f"{FAILED_LOGINS}:{address}")
        log.warning("authentication failed (%s) from client %s", reason, self.client(address))
        if wait <= 0:
            return 0
        self._refused[address] = self._clock() + wait
        self._refused.move_to_end(address)
        while len(self._refused) > self._capacity:
            self._refused.popitem(last=False)
        return math.ceil(wait)
