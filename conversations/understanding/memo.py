"""A bounded, thread-safe memo of what short texts gave, keyed by a keyed hash.

Short messages repeat across people ("oui", "ok merci", a town, a postcode) and reading
one costs about a millisecond of CPU even when its embedding is known (the neighbours,
the n-grams, the language). What they gave is remembered under a keyed BLAKE2b digest,
so no message text is kept in memory; the key is random per process.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from typing import Final, Generic, TypeVar

# Up to this many characters a text counts as short (and is remembered).
SHORT_CHARS: Final = 48
REMEMBERED: Final = 4096

T = TypeVar("T")


class ShortTextMemo(Generic[T]):
    """An LRU of `size` values of short texts; store only immutable values (shared)."""

    def __init__(self, size: int = REMEMBERED) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._key = secrets.token_bytes(32)
        self._items: OrderedDict[bytes, T] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def holds(text: str) -> bool:
        """Whether `text` is short enough to be remembered."""
        return len(text) <= SHORT_CHARS

    def _digest(self, text: str) -> bytes:
        return hashlib.blake2b(text.encode(), digest_size=16, key=self._key).digest()

    def get(self, text: str) -> T | None:
        digest = self._digest(text)
        with self._lock:
            found = self._items.get(digest)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(digest)
            self.hits += 1
            return found

    def put(self, text: str, value: T) -> None:
        digest = self._digest(text)
        with self._lock:
            self._items[digest] = value
            self._items.move_to_end(digest)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
