"""Senders: one coroutine per notification kind, raising on failure (the caller retries)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Protocol

import aiosmtplib
import httpx

from api.notify.webhooks import WebhookPolicy, checked_target

SIGNATURE_HEADER = "X-Relais-Signature"


class Sender(Protocol):
    async def __call__(self, target: str, event: str, payload: dict[str, Any]) -> None: ...


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


@dataclass
class WebhookSender:
    """POSTs the signed event to an https URL whose host resolves to public addresses
    only, checked at each send (api/notify/webhooks.py); no redirect is followed (a 3xx
    is a failed attempt), no proxy from the environment is used."""

    secret: bytes
    timeout: float = 10.0
    policy: WebhookPolicy = field(default_factory=WebhookPolicy)

    async def __call__(self, target: str, event: str, payload: dict[str, Any]) -> None:
        checked = await checked_target(target, self.policy)
        body = json.dumps({"event": event, **payload}, sort_keys=True).encode()
        headers = {
            "content-type": "application/json",
            "host": checked.host_header,
            SIGNATURE_HEADER: sign(self.secret, body),
        }
        tls = {"sni_hostname": checked.server_name} if checked.server_name else {}
        async with httpx.AsyncClient(
            timeout=self.timeout, follow_redirects=False, trust_env=False
        ) as client:
            response = await client.post(checked.url, content=body, headers=headers, extensions=tls)
        response.raise_for_status()


@dataclass
class EmailSender:
    host: str
    port: int
    sender: str
    timeout: float = 10.0

    async def __call__(self, target: str, event: str, payload: dict[str, Any]) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = target
        urgency = str(payload.get("urgency", "normal")).upper()
        message["Subject"] = f"[Relais] {urgency} {event} #{payload.get('referral_id')}"
        lines = [f"{key}: {value}" for key, value in sorted(payload.items())]
        message.set_content("\n".join(lines) + "\n")
        await aiosmtplib.send(message, hostname=self.host, port=self.port, timeout=self.timeout)
