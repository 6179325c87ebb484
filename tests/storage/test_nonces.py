"""AES-GCM nonces (storage/nonces.py): never the same one twice, in threads or after a fork."""

from __future__ import annotations

import os
import threading

from storage.nonces import NONCE_BYTES, NonceSource


def test_nonces_are_distinct_across_batches_and_threads() -> None:
    source = NonceSource()
    taken: list[list[bytes]] = [[] for _ in range(4)]

    def take(into: list[bytes]) -> None:
        for _ in range(2_000):  # several batches each
            into.append(source.take())

    threads = [threading.Thread(target=take, args=(into,)) for into in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [nonce for into in taken for nonce in into]
    assert all(len(nonce) == NONCE_BYTES for nonce in every)
    assert len(set(every)) == len(every) == 8_000


def test_a_forked_child_never_hands_out_its_parents_nonces() -> None:
    # The module's source is the one registered for forks; take from it so that the
    # parent holds a half-used batch when it forks.
    from storage.nonces import NONCES

    NONCES.take()
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.close(read_end)
        os.write(write_end, b"".join(NONCES.take() for _ in range(100)))
        os._exit(0)
    os.close(write_end)
    parent = {NONCES.take() for _ in range(100)}
    data = b""
    while chunk := os.read(read_end, 65536):
        data += chunk
    os.close(read_end)
    os.waitpid(child, 0)
    from_child = {data[i : i + NONCE_BYTES] for i in range(0, len(data), NONCE_BYTES)}
    assert len(from_child) == 100
    assert not parent & from_child
