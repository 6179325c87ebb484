"""Encryption at rest of free text: answers, conversation state, notes, messages.

Columns typed `SealedJSON` or `SealedText` hold a Fernet token (AES-128-CBC + HMAC-SHA256)
prefixed with `SEAL_PREFIX`, never the plain value. The keys come from the settings
(`RELAIS_DATA_KEYS`, newest first, or a key derived from the secret key) and travel with
the engine: `Database` attaches its `Keyring` to its dialect, so two databases in one
process can use different keys. Rotation: put the new key first, keep the old ones after
it, run `relais admin rotate-keys` (rewrites every sealed value under the new key), then
drop the old keys. Values written before sealing existed (plain JSON or text) are read
as they are and sealed on their next write or by the rotation command.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any, Final

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import JSON, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

SEAL_PREFIX: Final = "enc1:"
_DIALECT_ATTRIBUTE: Final = "relais_keyring"
_DERIVE_INFO: Final = b"relais data at rest v1"


class SealedValueUnreadable(ValueError):
    """A sealed value was written under a key this deployment no longer has, or altered."""


class Keyring:
    """The data keys: the first one seals, any of them opens."""

    def __init__(self, keys: Iterable[bytes]) -> None:
        fernets = [Fernet(key) for key in keys]
        if not fernets:
            raise ValueError("a keyring needs at least one key")
        self._fernet = MultiFernet(fernets)

    @staticmethod
    def derive_key(secret: bytes) -> bytes:
        """A key derived (HKDF-SHA256) from the deployment's secret key."""
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DERIVE_INFO)
        return base64.urlsafe_b64encode(hkdf.derive(secret))

    @classmethod
    def ephemeral(cls) -> Keyring:
        """A random key: data sealed with it is readable by this process only."""
        return cls([Fernet.generate_key()])

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode("ascii")

    def seal(self, plain: str) -> str:
        return SEAL_PREFIX + self._fernet.encrypt(plain.encode()).decode("ascii")

    def open(self, stored: str) -> str:
        if not stored.startswith(SEAL_PREFIX):
            return stored  # written before sealing existed
        token = stored[len(SEAL_PREFIX) :].encode("ascii")
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken:
            raise SealedValueUnreadable("sealed value cannot be decrypted") from None

    def reseal(self, stored: str) -> str:
        """The same value sealed under the newest key (plain legacy values get sealed)."""
        if not stored.startswith(SEAL_PREFIX):
            return self.seal(stored)
        token = stored[len(SEAL_PREFIX) :].encode("ascii")
        try:
            return SEAL_PREFIX + self._fernet.rotate(token).decode("ascii")
        except InvalidToken:
            raise SealedValueUnreadable("sealed value cannot be decrypted") from None


def attach(dialect: Dialect, keyring: Keyring) -> None:
    setattr(dialect, _DIALECT_ATTRIBUTE, keyring)


def keyring_of(dialect: Dialect) -> Keyring:
    keyring: Keyring | None = getattr(dialect, _DIALECT_ATTRIBUTE, None)
    if keyring is None:
        raise RuntimeError("no keyring attached to this engine; use storage.Database")
    return keyring


def is_sealed(stored: object) -> bool:
    return isinstance(stored, str) and stored.startswith(SEAL_PREFIX)


class SealedText(TypeDecorator[str]):
    """Text stored as a sealed token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else keyring_of(dialect).seal(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else keyring_of(dialect).open(value)


class SealedJSON(TypeDecorator[Any]):
    """A JSON document stored as a JSON string holding a sealed token.

    The column stays a JSON column (no schema change), so rows written before sealing,
    which hold the document itself, are still read. Empty documents (`{}`, `[]`) reveal
    nothing and stay plain, so SQL can still tell an erased case file from a full one.
    """

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or value == {} or value == []:
            return value
        return keyring_of(dialect).seal(json.dumps(value, separators=(",", ":")))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if not is_sealed(value):
            return value
        return json.loads(keyring_of(dialect).open(value))


def sealed_json_text(dialect: Dialect, value: Any) -> str:
    """`value` as a `SealedJSON` column stores it (JSON text), for hand-written SQL that
    passes several documents in one array parameter."""
    return json.dumps(SealedJSON().process_bind_param(value, dialect))


# --- channel addresses ---------------------------------------------------------------
# Conversations are keyed by a keyed hash, which cannot be reversed; to *send* to a person
# the dispatcher needs their address back (e.g. a Telegram chat id), so it is stored as a
# Fernet token whose key is derived (HKDF-SHA256) from the deployment's secret key.

_ADDRESS_INFO: Final = b"relais channel address v1"


class AddressUnreadable(ValueError):
    """The stored address was made with another key or was altered."""


class AddressSealer:
    def __init__(self, secret: bytes) -> None:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_ADDRESS_INFO)
        derived = hkdf.derive(secret)
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, address: str) -> str:
        return self._fernet.encrypt(address.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except InvalidToken:
            raise AddressUnreadable("channel address cannot be decrypted") from None
