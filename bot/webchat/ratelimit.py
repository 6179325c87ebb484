"""429 + Retry-After on the public web chat endpoints when a bucket is empty.

Per client IP, per IP for new sessions, and per session (one person). The IP is the one
uvicorn reports (behind a proxy, run uvicorn with its proxy headers).
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

from bot.ratelimit import Limits, TokenBuckets

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


class RateLimit:
    """429 + Retry-After on the public web chat endpoints when a bucket is empty."""

    def __init__(
        self,
        app: ASGIApp,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        limits = limits or Limits()
        self.per_ip = TokenBuckets(limits.per_ip, clock=clock)
        self.new_sessions = TokenBuckets(limits.new_sessions_per_ip, clock=clock)
        self.per_person = TokenBuckets(limits.per_person, clock=clock)

    def wait_for(self, scope: Scope) -> float:
        path: str = scope.get("path", "")
        client = scope.get("client") or ("unknown", 0)
        address = str(client[0])
        waits = [self.per_ip.take(address)]
        if scope.get("method") == "POST" and path.rstrip("/") == "/webchat/sessions":
            waits.append(self.new_sessions.take(address))
        found = _SESSION_PATH.match(path)
        if found:
            waits.append(self.per_person.take(found.group(1)))
        return max(waits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith("/webchat/"):
            wait = self.wait_for(scope)
            if wait > 0:
                retry = str(max(1, math.ceil(wait)))
                await _reply(send, 429, "too many requests, please wait", {"retry-after": retry})
                return
        await self.app(scope, receive, send)
