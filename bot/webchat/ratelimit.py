"""429 + Retry-After on the public web chat endpoints when a bucket is empty.

Per client IP, per IP for new sessions, and per session (one person). The IP is the one
uvicorn reports (behind a proxy, uvicorn takes it from X-Forwarded-For when the proxy's
address is in FORWARDED_ALLOW_IPS — 127.0.0.1 by default).

The buckets are the app's limiter (`app.state.services.limiter`, chosen at start-up:
shared by every instance on PostgreSQL, in memory on SQLite), looked up at request
time; before the app has services (or outside an app, in tests), and for a second after
the shared buckets could not be reached (the database is away), the middleware's own
in-memory buckets are used. Every request of the web chat costs one `take`: one
statement on PostgreSQL, whatever the number of buckets, shared with the requests that
arrive at the same time (storage/limits.py).
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

from bot.ratelimit import (
    WEBCHAT_IP,
    WEBCHAT_NEW_SESSION,
    WEBCHAT_PERSON,
    Limiter,
    Limits,
    MemoryLimiter,
    channel_buckets,
)
from storage.availability import database_unavailable

log = logging.getLogger(__name__)
# After the shared buckets failed, how long the in-memory ones are used before trying again.
SHARED_RETRY_SECONDS: Final = 1.0

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _reply(send: Send, status: int, detail: str, headers: dict[str, str]) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


_SESSION_PATH: Final = re.compile(r"^/webchat/sessions/([^/]+)")


def keys_for(scope: Scope) -> list[str]:
    """The buckets one web chat request takes a token from."""
    path: str = scope.get("path", "")
    client = scope.get("client") or ("unknown", 0)
    address = str(client[0])
    keys = [f"{WEBCHAT_IP}:{address}"]
    if scope.get("method") == "POST" and path.rstrip("/") == "/webchat/sessions":
        keys.append(f"{WEBCHAT_NEW_SESSION}:{address}")
    found = _SESSION_PATH.match(path)
    if found:
        keys.append(f"{WEBCHAT_PERSON}:{found.group(1)}")
    return keys


class RateLimit:
    """429 + Retry-After on the public web chat endpoints when a bucket is empty."""

    def __init__(
        self,
        app: ASGIApp,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.clock = clock
        self.fallback = MemoryLimiter(channel_buckets(limits), clock=clock)
        self._shared_down_until = 0.0

    def limiter(self, scope: Scope) -> Limiter | None:
        services = getattr(getattr(scope.get("app"), "state", None), "services", None)
        shared: Limiter | None = getattr(services, "limiter", None)
        return shared

    async def wait_for(self, scope: Scope) -> float:
        keys = keys_for(scope)
        shared = self.limiter(scope)
        if shared is not None and self.clock() >= self._shared_down_until:
            try:
                return await shared.take(*keys)
            except Exception as error:
                if not database_unavailable(error):
                    raise
                # The database is away: this process's own buckets stand in for a moment
                # (the page's own strings need no database; the other routes answer 503).
                log.warning("shared rate limits unavailable: in-memory limits for now")
                self._shared_down_until = self.clock() + SHARED_RETRY_SECONDS
        return await self.fallback.take(*keys)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith("/webchat/"):
            wait = await self.wait_for(scope)
            if wait > 0:
                retry = str(max(1, math.ceil(wait)))
                await _reply(send, 429, "too many requests, please wait", {"retry-after": retry})
                return
        await self.app(scope, receive, send)
