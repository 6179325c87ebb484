"""Random 96-bit nonces for AES-GCM, read from the operating system in batches.

`os.urandom` is a system call that releases the GIL: with the understanding's threads
busy, each call on the event loop's thread waited for the GIL to come back (5.7 µs a
call on average in `make bench`, 3.7 calls a turn, issue 14). The nonces are the same
ones — the OS's random bytes — only read 256 at a time. A forked child must never hand
out the nonces its parent read (the same nonce twice under one key breaks AES-GCM), so
the batch is dropped in the child at fork.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Final

NONCE_BYTES: Final = 12
_PER_BATCH: Final = 256


class _Batch:
    __slots__ = ("data", "offsets")

    def __init__(self) -> None:
        self.data = os.urandom(NONCE_BYTES * _PER_BATCH)
        # next() on this iterator is one C call: two threads never get the same offset.
        self.offsets: Iterator[int] = iter(range(0, len(self.data), NONCE_BYTES))


class NonceSource:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._batch = _Batch()

    def take(self) -> bytes:
        """A nonce no other call of this process (or of a forked one) gets."""
        while True:
            batch = self._batch
            offset = next(batch.offsets, None)
            if offset is not None:
                return batch.data[offset : offset + NONCE_BYTES]
            with self._lock:
                if self._batch is batch:
                    self._batch = _Batch()

    def after_fork(self) -> None:
        self._lock = threading.Lock()
        self._batch = _Batch()


NONCES: Final = NonceSource()
os.register_at_fork(after_in_child=NONCES.after_fork)
