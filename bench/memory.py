"""Memory per active conversation, measured the same way for Relais and the baseline.

With tracemalloc on and everything warm, `people` people start the housing journey and
stop halfway (six turns each), `concurrency` of them being served at any moment, like the
throughput run. Reported per person: the peak of Python allocations during that burst
above the level before it (`kib_per_conversation`), and what is still held once they all
wait for their next message (`kib_retained_per_conversation`). Relais keeps a waiting
conversation in the database, not in memory; the baseline keeps it in `user_data` and
its persistence.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench import baseline_ptb
from bench.relais_turns import build_runtime, play_journey
from storage import Database

HALFWAY = 6


async def _burst(
    people: int, concurrency: int, start_one: Callable[[int], Awaitable[None]]
) -> dict[str, Any]:
    gate = asyncio.Semaphore(concurrency)

    async def gated(index: int) -> None:
        async with gate:
            await start_one(index)

    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        await asyncio.gather(*(gated(i) for i in range(people)))
        peak = tracemalloc.get_traced_memory()[1]
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return {
        "people": people,
        "concurrency": concurrency,
        "kib_per_conversation": round((peak - before) / people / 1024, 2),
        "kib_retained_per_conversation": round(max(0, after - before) / people / 1024, 2),
    }


async def relais_memory(url: str, people: int, concurrency: int) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if not url.startswith("sqlite"):
        options = {"pool_size": concurrency, "max_overflow": 0}
    db = Database(url, **options)
    try:
        await db.upgrade()
        runtime = build_runtime(db)
        # Warm every pooled connection and cache before measuring.
        await asyncio.gather(
            *(play_journey(runtime, f"memory-warm-{i}") for i in range(concurrency))
        )

        async def one(index: int) -> None:
            await play_journey(runtime, f"memory-{index}", stop_after=HALFWAY)

        return await _burst(people, concurrency, one)
    finally:
        await db.dispose()


async def baseline_memory(path: Path, people: int, concurrency: int) -> dict[str, Any]:
    application = await baseline_ptb.build_application(path)
    try:
        await asyncio.gather(
            *(
                baseline_ptb.play(application, baseline_ptb.update_dicts(10 + i))
                for i in range(concurrency)
            )
        )

        async def one(index: int) -> None:
            updates = baseline_ptb.update_dicts(100_000 + index, turns=HALFWAY)
            await baseline_ptb.play(application, updates)

        return await _burst(people, concurrency, one)
    finally:
        await application.shutdown()
