"""Keyed hashes of channel identifiers: the database never sees a raw chat or session id."""

from __future__ import annotations

import hashlib
import hmac


class Pseudonymizer:
    def __init__(self, key: bytes) -> None:
        # Keyed once: each person key copies this state instead of keying HMAC again
        # (every turn computes one).
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)

    def person_key(self, channel: str, user_id: str) -> str:
        digest = self._keyed.copy()
        digest.update(f"{channel}:{user_id}".encode())
        return digest.hexdigest()
