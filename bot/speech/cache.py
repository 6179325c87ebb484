"""A bounded in-memory LRU of encoded audio, by key (a hash of voice and words).

Bounded in bytes, not entries: the least recently used audio goes first. Only audio of
catalog sentences is put here (bot/speech/text.py `public`), so it never holds anything
about a person; each worker process has its own.
"""

from __future__ import annotations

from collections import OrderedDict


class AudioCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> bytes | None:
        audio = self._items.get(key)
        if audio is None:
            self.misses += 1
            return None
        self.hits += 1
        self._items.move_to_end(key)
        return audio

    def put(self, key: str, audio: bytes) -> None:
        if len(audio) > self.max_bytes:
            return
        old = self._items.pop(key, None)
        if old is not None:
            self.size -= len(old)
        self._items[key] = audio
        self.size += len(audio)
        while self.size > self.max_bytes:
            _, dropped = self._items.popitem(last=False)
            self.size -= len(dropped)
