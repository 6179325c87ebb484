"""Where a webhook may be sent: an https URL whose host resolves to public addresses only.

The directory refuses a bad URL when it is loaded (conversations/directory_checks.py);
this is the check at send time, after resolving the host again (its DNS may have changed
since, on purpose or not): every address the name resolves to must be public, and the
request then goes to the address that was checked (no second lookup to rebind), with
the host name kept for TLS (SNI and the certificate) and the Host header. Redirects are
not followed. A refused target raises `WebhookRefused`; the dispatcher records it as a
failed attempt like any other.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
RESOLVE_SECONDS: Final = 5.0


class WebhookRefused(ValueError):
    """The webhook's URL or the addresses its host resolves to are not allowed."""


class WebhookUnresolved(WebhookRefused):
    """The webhook's host does not resolve (now)."""


def is_public(address: IPAddress) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_global


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await asyncio.wait_for(
        loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_SECONDS
    )
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class WebhookPolicy:
    """What a webhook target may be. The default is the only one a deployment uses;
    tests widen it to reach a receiver on this machine."""

    schemes: tuple[str, ...] = ("https",)
    address_allowed: Callable[[IPAddress], bool] = is_public
    resolve: Resolver = field(default=system_resolver)


@dataclass(frozen=True)
class Target:
    """A checked webhook target: the URL to connect to (the checked address), and the
    host name for the Host header and TLS."""

    url: str
    host_header: str
    server_name: str | None


async def checked_target(url: str, policy: WebhookPolicy) -> Target:
    """Resolve and check `url`; raise `WebhookRefused` unless every address is allowed."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise WebhookRefused("not a valid URL") from None
    if parts.scheme not in policy.schemes:
        raise WebhookRefused(f"scheme {parts.scheme or '(none)'} is not allowed")
    if parts.username is not None or parts.password is not None:
        raise WebhookRefused("credentials in the URL")
    if not host:
        raise WebhookRefused("no host")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    try:
        found = [host] if literal is not None else await policy.resolve(host, port)
    except (OSError, TimeoutError) as error:
        raise WebhookUnresolved(f"the host does not resolve ({type(error).__name__})") from None
    addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]
    if not addresses:
        raise WebhookUnresolved("the host does not resolve")
    if not all(policy.address_allowed(address) for address in addresses):
        raise WebhookRefused("the host resolves to a private or reserved address")
    return _pinned(parts, addresses[0], port, server_name=None if literal else host)


def _pinned(parts: SplitResult, address: IPAddress, port: int, server_name: str | None) -> Target:
    shown = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{shown}:{port}"
    default = 443 if parts.scheme == "https" else 80
    host = parts.hostname or ""
    host_header = host if port == default else f"{host}:{port}"
    if ":" in host:
        host_header = f"[{host}]" if port == default else f"[{host}]:{port}"
    url = parts._replace(netloc=netloc, fragment="").geturl()
    return Target(url, host_header, server_name)
