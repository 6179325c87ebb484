"""No NUL character gets past the edge, in the public web chat or the admin API.

PostgreSQL cannot store U+0000 in text (SQLite can), so a NUL in a JSON string or a query
parameter used to surface as a 500. In a JSON body the `\\u0000` escapes are removed (a
person's message loses nothing else); a NUL in the query string or the path (`%00`) is
refused with a precise 422 before any route sees it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# `\u0000` preceded by an even number of backslashes (an odd number escapes the first).
_JSON_NUL: Final = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
DETAIL: Final = "text must not contain NUL (U+0000) characters"


def without_nul(body: bytes) -> bytes:
    """The JSON body with its `\\u0000` escapes removed (other escapes untouched)."""
    if b"\\u0000" not in body:
        return body
    return _JSON_NUL.sub(lambda found: found.group(0)[: -len(rb"\u0000")], body)


class NulGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope.get("query_string", b"")
        raw_path: bytes = scope.get("raw_path") or scope.get("path", "").encode()
        if b"\x00" in query or b"%00" in query or b"%00" in raw_path or "\x00" in scope["path"]:
            await _refuse(send)
            return
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = without_nul(b"".join(chunks))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(send: Send) -> None:
    body = json.dumps(
        {"detail": [{"loc": ["request"], "msg": DETAIL, "type": "value_error.nul"}]}
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 422, "headers": headers})
    await send({"type": "http.response.body", "body": body})
