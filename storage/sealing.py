"""Encryption at rest of free text: answers, conversation state, notes, messages.

Columns typed `SealedJSON` or `SealedText` hold a sealed token prefixed with
`SEAL_PREFIX`, never the plain value: AES-256-GCM (`enc2:`, issue 14) — a 4-byte key id,
a random 96-bit nonce (storage/nonces.py), the ciphertext and its 16-byte tag, base64 —
under a key derived (HKDF-SHA256) from each data key. Tokens written before by Fernet (AES-128-CBC +
HMAC-SHA256, `enc1:`) are still opened with the same keys, and rewritten as `enc2:` on
their next write or by the rotation command. The keys come from the settings
(`RELAIS_DATA_KEYS`, newest first, or a key derived from the secret key) and travel with
the engine: `Database` attaches its `Keyring` to its dialect, so two databases in one
process can use different keys. Rotation: put the new key first, keep the old ones after
it, run `relais admin rotate-keys` (rewrites every sealed value under the new key), then
drop the old keys. Values written before sealing existed (plain JSON or text) are read
as they are and sealed on their next write or by the rotation command.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import Any, Final

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import JSON, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from storage.nonces import NONCE_BYTES, NONCES

# What `seal` writes: AES-256-GCM. Fernet tokens of earlier versions keep their prefix.
SEAL_PREFIX: Final = "enc2:"
FERNET_PREFIX: Final = "enc1:"
_PREFIXES: Final = (SEAL_PREFIX, FERNET_PREFIX)
_DIALECT_ATTRIBUTE: Final = "relais_keyring"
_DERIVE_INFO: Final = b"relais data at rest v1"
_AEAD_INFO: Final = b"relais data at rest aes-256-gcm v2"
_KEY_ID_BYTES: Final = 4


class SealedValueUnreadable(ValueError):
    """A sealed value was written under a key this deployment no longer has, or altered."""


def _aead_key(fernet_key: bytes) -> tuple[bytes, AESGCM]:
    """The key id and the AES-256-GCM key derived from one data key (a Fernet key)."""
    raw = base64.urlsafe_b64decode(fernet_key)
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32 + _KEY_ID_BYTES, salt=None, info=_AEAD_INFO
    ).derive(raw)
    return derived[32:], AESGCM(derived[:32])


class Keyring:
    """The data keys: the first one seals, any of them opens."""

    def __init__(self, keys: Iterable[bytes]) -> None:
        keys = list(keys)
        fernets = [Fernet(key) for key in keys]  # also checks that each key is valid
        if not fernets:
            raise ValueError("a keyring needs at least one key")
        self._fernet = MultiFernet(fernets)
        aead = [_aead_key(key) for key in keys]
        self._key_id, self._sealer = aead[0]
        # Key ids are 4 bytes: two keys sharing one are all tried, newest first.
        self._openers: dict[bytes, list[AESGCM]] = {}
        for key_id, cipher in aead:
            self._openers.setdefault(key_id, []).append(cipher)

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

    def seal(self, plain: str | bytes) -> str:
        nonce = NONCES.take()
        data = plain if isinstance(plain, bytes) else plain.encode()
        sealed = self._sealer.encrypt(nonce, data, None)
        token = base64.urlsafe_b64encode(self._key_id + nonce + sealed)
        return SEAL_PREFIX + token.decode("ascii")

    def open(self, stored: str) -> str:
        if stored.startswith(SEAL_PREFIX):
            return self._open_aead(stored[len(SEAL_PREFIX) :])
        if not stored.startswith(FERNET_PREFIX):
            return stored  # written before sealing existed
        token = stored[len(FERNET_PREFIX) :].encode("ascii")
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken:
            raise SealedValueUnreadable("sealed value cannot be decrypted") from None

    def _open_aead(self, token: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(token)
        except (binascii.Error, ValueError):
            raise SealedValueUnreadable("sealed value cannot be decrypted") from None
        key_id = raw[:_KEY_ID_BYTES]
        nonce = raw[_KEY_ID_BYTES : _KEY_ID_BYTES + NONCE_BYTES]
        sealed = raw[_KEY_ID_BYTES + NONCE_BYTES :]
        for cipher in self._openers.get(key_id, ()):
            try:
                return cipher.decrypt(nonce, sealed, None).decode()
            except (InvalidTag, ValueError):
                continue
        raise SealedValueUnreadable("sealed value cannot be decrypted")

    def reseal(self, stored: str) -> str:
        """The same value sealed under the newest key (plain legacy values get sealed,
        Fernet tokens become AES-GCM ones)."""
        return self.seal(self.open(stored))


def attach(dialect: Dialect, keyring: Keyring) -> None:
    setattr(dialect, _DIALECT_ATTRIBUTE, keyring)


def keyring_of(dialect: Dialect) -> Keyring:
    keyring: Keyring | None = getattr(dialect, _DIALECT_ATTRIBUTE, None)
    if keyring is None:
        raise RuntimeError("no keyring attached to this engine; use storage.Database")
    return keyring


def is_sealed(stored: object) -> bool:
    return isinstance(stored, str) and stored.startswith(_PREFIXES)


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
        return keyring_of(dialect).seal(json_bytes(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if not is_sealed(value):
            return value
        return orjson.loads(keyring_of(dialect).open(value))


def json_bytes(value: Any) -> bytes:
    """Compact JSON of `value` (orjson: every turn seals its state; non-string keys
    become strings, as with the standard library)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def sealed_json_text(dialect: Dialect, value: Any) -> str:
    """`value` as a `SealedJSON` column stores it (JSON text), for hand-written SQL that
    passes several documents in one array parameter."""
    return json_bytes(SealedJSON().process_bind_param(value, dialect)).decode()


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
