"""storage/group_commit.py: concurrent items share a write; each caller gets its own result."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from storage.group_commit import GroupCommit


class _Recorder:
    """A write that records its batches and can be held open by the test."""

    def __init__(self) -> None:
        self.batches: list[list[tuple[str, int]]] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def write(self, batch: Sequence[tuple[str, int]]) -> list[int | Exception]:
        self.batches.append(list(batch))
        await self.gate.wait()
        return [ValueError(key) if value < 0 else value * 10 for key, value in batch]


def _group(recorder: _Recorder, lanes: int = 1) -> GroupCommit[tuple[str, int], int]:
    return GroupCommit(recorder.write, keys=lambda item: (item[0],), lanes=lanes)


async def _batch_in_flight(
    group: GroupCommit[tuple[str, int], int], recorder: _Recorder
) -> asyncio.Task[int]:
    """A first batch (item ("x", 0)) written and held open: what comes next waits."""
    recorder.gate.clear()
    held = asyncio.create_task(group.submit(("x", 0)))
    await asyncio.sleep(0.01)
    return held


async def test_a_lone_item_is_written_at_once() -> None:
    recorder = _Recorder()
    assert await _group(recorder).submit(("a", 1)) == 10
    assert recorder.batches == [[("a", 1)]]


async def test_items_that_wait_for_a_batch_in_flight_share_the_next_one() -> None:
    recorder = _Recorder()
    group = _group(recorder)
    recorder.gate.clear()
    first = asyncio.create_task(group.submit(("a", 1)))
    await asyncio.sleep(0.01)  # the first batch is in flight, held by the gate
    rest = [asyncio.create_task(group.submit((key, n))) for n, key in enumerate("bcd", 2)]
    await asyncio.sleep(0.01)
    recorder.gate.set()
    assert await first == 10
    assert [await task for task in rest] == [20, 30, 40]
    assert recorder.batches == [[("a", 1)], [("b", 2), ("c", 3), ("d", 4)]]


async def test_two_items_of_one_key_never_share_a_batch() -> None:
    recorder = _Recorder()
    group = _group(recorder)
    held = await _batch_in_flight(group, recorder)
    tasks = [asyncio.create_task(group.submit(item)) for item in (("a", 1), ("a", 2), ("b", 3))]
    await asyncio.sleep(0.01)
    recorder.gate.set()
    await held
    assert [await task for task in tasks] == [10, 20, 30]
    assert recorder.batches[1:] == [[("a", 1), ("b", 3)], [("a", 2)]]


async def test_items_that_share_any_one_of_their_keys_never_share_a_batch() -> None:
    recorder = _Recorder()
    # Keys: the item's name and the letters of it ("ab" shares "a" with "a" and "b" with "bc").
    group: GroupCommit[tuple[str, int], int] = GroupCommit(
        recorder.write, keys=lambda item: (item[0], *item[0]), lanes=1
    )
    held = await _batch_in_flight(group, recorder)
    items = (("a", 1), ("ab", 2), ("bc", 3), ("d", 4))
    tasks = [asyncio.create_task(group.submit(item)) for item in items]
    await asyncio.sleep(0.01)
    recorder.gate.set()
    await held
    assert [await task for task in tasks] == [10, 20, 30, 40]
    assert recorder.batches[1:] == [[("a", 1), ("bc", 3), ("d", 4)], [("ab", 2)]]


async def test_an_item_error_reaches_its_caller_alone() -> None:
    recorder = _Recorder()
    group = _group(recorder)
    held = await _batch_in_flight(group, recorder)
    good = asyncio.create_task(group.submit(("a", 1)))
    bad = asyncio.create_task(group.submit(("b", -1)))
    await asyncio.sleep(0.01)
    recorder.gate.set()
    await held
    assert await good == 10
    with pytest.raises(ValueError, match="b"):
        await bad
    assert len(recorder.batches) == 2


async def test_a_failed_write_reaches_every_caller_of_its_batch() -> None:
    async def broken(batch: Sequence[tuple[str, int]]) -> list[int | Exception]:
        raise ConnectionError("database gone")

    group: GroupCommit[tuple[str, int], int] = GroupCommit(broken, keys=lambda item: (item[0],))
    results = await asyncio.gather(
        group.submit(("a", 1)), group.submit(("b", 2)), return_exceptions=True
    )
    assert [type(r) for r in results] == [ConnectionError, ConnectionError]


async def test_a_caller_cancelled_while_waiting_is_not_written() -> None:
    recorder = _Recorder()
    group = _group(recorder)
    held = await _batch_in_flight(group, recorder)
    gone = asyncio.create_task(group.submit(("a", 1)))
    kept = asyncio.create_task(group.submit(("b", 2)))
    await asyncio.sleep(0.01)
    gone.cancel()
    recorder.gate.set()
    await held
    assert await kept == 20
    assert recorder.batches == [[("x", 0)], [("b", 2)]]


async def test_two_lanes_write_two_batches_at_once() -> None:
    recorder = _Recorder()
    group = _group(recorder, lanes=2)
    recorder.gate.clear()
    tasks = [asyncio.create_task(group.submit(("a", 1)))]
    await asyncio.sleep(0.01)
    tasks.append(asyncio.create_task(group.submit(("b", 2))))
    await asyncio.sleep(0.01)
    assert len(recorder.batches) == 2  # the second did not wait for the first
    recorder.gate.set()
    assert [await task for task in tasks] == [10, 20]
    await group.close()
