"""HTTP hardening of `relais serve` (issue 8): headers, body size, rate limits, log hygiene.

- Security headers on every response, without overriding a route's own:
  `X-Content-Type-Options`, `Referrer-Policy`, `X-Frame-Options`, and a
  Content-Security-Policy — same-origin scripts and styles for HTML, the CDN of the
  OpenAPI page for `/docs`, nothing at all for JSON.
- Request bodies over `max_body_bytes` (64 KiB; the services directory upload 1 MiB) are
  refused with 413 before any handler reads them.
- The public web chat is rate limited (bot/webchat/ratelimit.py): 429 + Retry-After.
- Access logs never show a web chat session id (a bearer secret) nor the client's IP.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

from bot.ratelimit import Limits
from bot.webchat.ratelimit import RateLimit
from relais.nul_guard import NulGuard

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# --- security headers ---------------------------------------------------------------

PAGE_CSP: Final = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; media-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'"
)
# FastAPI's /docs and /redoc load Swagger UI / ReDoc from jsDelivr with an inline script.
DOCS_CSP: Final = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https:; "
    "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
API_CSP: Final = "default-src 'none'; frame-ancestors 'none'"
COMMON_HEADERS: Final = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
DOCS_PATHS: Final = ("/docs", "/redoc")
NO_STORE_PATHS: Final = ("/api/", "/webchat/sessions")


class SecurityHeaders:
    """Adds the security headers a response does not already carry."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                content_type = next(
                    (v for n, v in headers if n.lower() == b"content-type"), b""
                ).decode("latin-1")
                if path.startswith(DOCS_PATHS):
                    csp = DOCS_CSP
                elif content_type.startswith("text/html"):
                    csp = PAGE_CSP
                else:
                    csp = API_CSP
                wanted = {**COMMON_HEADERS, "content-security-policy": csp}
                if path.startswith(NO_STORE_PATHS):
                    # Case data must not stay in a browser's or a proxy's cache.
                    wanted["cache-control"] = "no-store"
                for name, value in wanted.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


# --- request size -------------------------------------------------------------------

MAX_BODY_BYTES: Final = 64 * 1024
# Admins replace the whole services directory (about 100 KB for the sample) in one PUT,
# and a reply template's wordings (up to 16 languages of 3000 characters, which JSON may
# write as 12 bytes each). A key ending in "/" is a prefix.
LARGER_BODIES: Final = {"/api/v1/directory": 1024 * 1024, "/api/v1/templates/": 1024 * 1024}


async def _reply(send: Send, status: int, detail: str, headers: dict[str, str]) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """413 for bodies over the limit: by Content-Length, or while reading a chunked one."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def limit_for(self, path: str) -> int:
        larger = [
            size
            for where, size in LARGER_BODIES.items()
            if path.rstrip("/") == where or (where.endswith("/") and path.startswith(where))
        ]
        return max([self.max_bytes, *larger])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = next((v for n, v in scope.get("headers", []) if n == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _reply(send, 413, "request body too large", {"connection": "close"})
            return
        # Read the (small) body first, so nothing is handled when it turns out too big.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _reply(send, 413, "request body too large", {"connection": "close"})
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


# --- logs ---------------------------------------------------------------------------

_SESSION_IN_PATH: Final = re.compile(r"(/webchat/sessions/)[^/?\s\"]+")


def redact_path(path: str) -> str:
    return _SESSION_IN_PATH.sub(r"\1…", path)


class AccessLogRedaction(logging.Filter):
    """uvicorn's access log without session ids in paths and without client addresses."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            _client, method, path, version, status = args
            record.args = ("-", method, redact_path(str(path)), version, status)
        elif isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        return True


def install_log_redaction() -> None:
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogRedaction) for f in logger.filters):
        logger.addFilter(AccessLogRedaction())


def install(app: Any, limits: Limits | None = None, rate_limits: bool = True) -> None:
    """Register everything on the FastAPI app. Outermost first: headers (on every answer,
    413 and 429 included), rate limits (before reading any body), body size, NUL bytes."""
    app.add_middleware(NulGuard)
    app.add_middleware(BodyLimit)
    if rate_limits:
        app.add_middleware(RateLimit, limits=limits)
    app.add_middleware(SecurityHeaders)
    install_log_redaction()
