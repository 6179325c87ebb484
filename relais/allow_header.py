"""The `Allow` header of a 405 lists every method of the path (pure ASGI, no task group).

Starlette lists only the first matching route's methods; a path served by several routes
(GET and POST) must list them all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.routing import compile_path

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class AllowHeader:
    """`schema` gives the OpenAPI document, whose paths list every route's methods."""

    def __init__(self, app: ASGIApp, schema: Callable[[], dict[str, Any]]) -> None:
        self.app = app
        self.schema = schema
        self._paths: list[tuple[Any, frozenset[str]]] | None = None

    def allowed(self, path: str) -> str:
        if self._paths is None:
            self._paths = [
                (compile_path(template)[0], frozenset(m.upper() for m in operations))
                for template, operations in self.schema().get("paths", {}).items()
            ]
        methods = {m for regex, found in self._paths if regex.match(path) for m in found}
        return ", ".join(sorted(methods))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                headers = [(n, v) for n, v in message.get("headers", []) if n.lower() != b"allow"]
                headers.append((b"allow", self.allowed(scope["path"]).encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_allow)
