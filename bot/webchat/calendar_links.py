"""Short-lived links to an appointment's calendar file, without the session id.

A download link ends up in the browser's history, and the bus tablet or a shared phone is
used by many people: the link names the appointment and an expiry, signed with the
deployment's key, and nothing that would let someone read the conversation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Final

LIFETIME_SECONDS: Final = 3600


class CalendarLinks:
    def __init__(self, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self._key = hashlib.sha256(b"relais calendar links v1" + key).digest()
        self._clock = clock

    def _mac(self, appointment_id: int, expires: int) -> str:
        digest = hmac.new(self._key, f"{appointment_id}:{expires}".encode(), "sha256").digest()
        return base64.urlsafe_b64encode(digest[:18]).decode("ascii")

    def token(self, appointment_id: int) -> str:
        expires = int(self._clock()) + LIFETIME_SECONDS
        return f"{appointment_id}-{expires}-{self._mac(appointment_id, expires)}"

    def url(self, appointment_id: int) -> str:
        return f"/webchat/calendar/{self.token(appointment_id)}.ics"

    def appointment_id(self, token: str) -> int | None:
        """The appointment a valid, unexpired token names; None otherwise."""
        parts = token.split("-", 2)
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            return None
        appointment_id, expires = int(parts[0]), int(parts[1])
        if expires < self._clock() or not hmac.compare_digest(
            parts[2], self._mac(appointment_id, expires)
        ):
            return None
        return appointment_id
