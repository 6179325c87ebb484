"""HTTP hardening of `relais serve` (issue 8): headers, body size, rate limits, log hygiene.

- Security headers on every response, without overriding a route's own (bot/pages.py
  sets the pages' policy): `X-Content-Type-Options`, `Referrer-Policy`,
  `X-Frame-Options`, and a Content-Security-Policy — same-origin scripts and styles for
  HTML, the CDN of the OpenAPI page for `/docs`, nothing at all for JSON.
- Request bodies over `max_body_bytes` (64 KiB; the services directory upload 1 MiB) are
  refused with 413 before any handler reads them.
- The public web chat is rate limited with in-memory token buckets: per client IP, per
  IP for new sessions, and per session (one person). Over the limit: 429 + Retry-After.
  The IP is the one uvicorn reports (behind a proxy, run uvicorn with its proxy headers).
- Access logs never show a web chat session id (a bearer secret) nor the client's IP.

`clean_text` (used by the runtime for every channel) removes control characters,
bidi overrides and lone surrogates from typed text and keeps everything else.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Final

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# --- typed text ---------------------------------------------------------------------

# Bidi embeddings, overrides and isolates ("Trojan source"), and other invisible format
# characters that only serve to disguise text. LRM/RLM/ALM, ZWJ and ZWNJ stay: Arabic,
# Persian and emoji need them.
_STRIPPED_FORMAT: Final = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u206a\u206b\u206c\u206d\u206e\u206f\ufeff\ufff9\ufffa\ufffb"
)
_KEPT_CONTROLS: Final = frozenset("\n\t")


def clean_text(text: str) -> str:
    """Typed text without control, bidi-override or surrogate characters.

    Line breaks of every kind become "\\n"; tabs stay; nothing else is changed (no
    normalisation, no trimming), so the person's words reach the engine as written.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\x85", "\n")
    kept = []
    for char in text:
        if char in _KEPT_CONTROLS:
            kept.append(char)
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cs") or char in _STRIPPED_FORMAT:
            continue
        kept.append(char)
    return "".join(kept)


# --- security headers ---------------------------------------------------------------

PAGE_CSP: Final = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'"
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
                for name, value in wanted.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


# --- request size -------------------------------------------------------------------

MAX_BODY_BYTES: Final = 64 * 1024
# Admins replace the whole services directory (about 100 KB for the sample) in one PUT.
LARGER_BODIES: Final = {"/api/v1/directory": 1024 * 1024}


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
        return max(self.max_bytes, LARGER_BODIES.get(path.rstrip("/"), 0))

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


# --- rate limits --------------------------------------------------------------------


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
    413 and 429 included), rate limits (before reading any body), body size."""
    app.add_middleware(BodyLimit)
    if rate_limits:
        app.add_middleware(RateLimit, limits=limits)
    app.add_middleware(SecurityHeaders)
    install_log_redaction()
