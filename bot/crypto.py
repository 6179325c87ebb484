"""Encryption at rest of channel addresses (e.g. a Telegram chat id).

Conversations are keyed by a keyed hash, which cannot be reversed; to *send* to a person
the dispatcher needs their address back, so it is stored as a Fernet token whose key is
derived (HKDF-SHA256) from the deployment's secret key. No key, no address.
"""

from __future__ import annotations

import base64
from typing import Final

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO: Final = b"relais channel address v1"


class AddressUnreadable(ValueError):
    """The stored address was made with another key or was altered."""


class AddressSealer:
    def __init__(self, secret: bytes) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, address: str) -> str:
        return self._fernet.encrypt(address.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except InvalidToken:
            raise AddressUnreadable("channel address cannot be decrypted") from None
