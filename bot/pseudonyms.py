"""Keyed hashes of channel identifiers: the database never sees a raw chat or session id."""

from __future__ import annotations

import hashlib
import hmac


class Pseudonymizer:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def person_key(self, channel: str, user_id: str) -> str:
        message = f"{channel}:{user_id}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()
