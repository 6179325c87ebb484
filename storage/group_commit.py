"""Group commit: concurrent writes share one statement, one commit and one round trip.

Callers `submit` an item and wait for its own result. Items that arrive while a batch is
in flight wait for the next one, so a lone write goes out at once (no timer, no added
latency) and a burst is written in a few statements instead of one per item. Each
caller is answered only once the statement that holds its item has returned (committed),
and a batch never holds two items that share a key (one conversation is written once
per statement; within one process a person's turns are serialised before they get
here, and the version check refuses anything out of order anyway; two rate-limit takes
on the same bucket go in two statements, as one statement cannot update a row twice).

`write` receives a batch and returns one result per item, in order; an item's result
may be an exception, raised to that caller alone. An exception raised by `write` itself
(the database went away) reaches every caller of the batch.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    def __init__(
        self,
        write: Callable[[Sequence[Item]], Awaitable[Sequence[Result | BaseException]]],
        keys: Callable[[Item], Iterable[Hashable]],
        *,
        max_batch: int = 64,
        lanes: int = 2,
    ) -> None:
        """`lanes`: batches in flight at once (one commit's flush overlaps the next
        batch's statement); `max_batch`: items per statement at most."""
        self._write = write
        self._keys = keys
        self._max_batch = max_batch
        self._lanes = lanes
        self._waiting: deque[tuple[Item, asyncio.Future[Result]]] = deque()
        self._in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._in_flight < self._lanes:
            self._in_flight += 1
            task = asyncio.create_task(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    async def _drain(self) -> None:
        """One lane: write batches while items wait."""
        try:
            while batch := self._next_batch():
                await self._write_batch(batch)
        finally:
            self._in_flight -= 1

    def _next_batch(self) -> list[tuple[Item, asyncio.Future[Result]]]:
        batch: list[tuple[Item, asyncio.Future[Result]]] = []
        keys: set[Hashable] = set()
        later: list[tuple[Item, asyncio.Future[Result]]] = []
        while self._waiting and len(batch) < self._max_batch:
            item, future = self._waiting.popleft()
            if future.done():  # the caller was cancelled before it was written
                continue
            own = set(self._keys(item))
            if own & keys:
                later.append((item, future))  # the same conversation or bucket: next one
            else:
                keys |= own
                batch.append((item, future))
        self._waiting.extendleft(reversed(later))
        return batch

    async def _write_batch(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._write([item for item, _ in batch])
        except Exception as error:  # handed to every caller of the batch
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        except BaseException:  # cancelled (shutdown): so are the callers
            for _, future in batch:
                future.cancel()
            raise
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def close(self) -> None:
        """Wait for the batches in flight."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
