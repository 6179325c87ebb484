"""The turn run with several worker processes on one database: the production layout.

Each worker process builds its own runtime (engine, pool), warms up, waits for the others
at a barrier, then plays the housing journey for its share of the people, `concurrency`
in flight per worker. Throughput is all turns over the wall time from the barrier to the
last worker's end. Per-person order across processes is kept by the conversation row
lock; here every person stays on one worker, as with sticky routing.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
from multiprocessing.synchronize import Barrier, Lock
from typing import Any

from bench.relais_turns import (
    build_runtime,
    case_store_counts,
    check_case_store,
    play_journey,
    run_people,
)
from storage import Database

WARMUP = 4


async def _counts(url: str) -> dict[str, int]:
    db = Database(url)
    try:
        await db.upgrade()
        return await case_store_counts(db)
    finally:
        await db.dispose()


async def _share(
    url: str, worker: int, people: int, concurrency: int, barrier: Barrier, lock: Lock
) -> dict[str, Any]:
    db = Database(url, pool_size=concurrency, max_overflow=0)
    try:
        with lock:  # one migration at a time (the first one does the work)
            await db.upgrade()
        runtime = build_runtime(db)
        await run_people(runtime, f"w{worker}-warm", WARMUP, concurrency)
        await asyncio.to_thread(barrier.wait)
        latencies: list[float] = []
        gate = asyncio.Semaphore(concurrency)

        async def one(index: int) -> None:
            async with gate:
                await play_journey(runtime, f"w{worker}-{index}", latencies)

        started = time.time()
        await asyncio.gather(*(one(i) for i in range(people)))
        return {"started": started, "ended": time.time(), "latencies": latencies}
    finally:
        await db.dispose()


def _worker(
    url: str, worker: int, people: int, concurrency: int, barrier: Barrier, lock: Lock, out: Any
) -> None:
    out.put(asyncio.run(_share(url, worker, people, concurrency, barrier, lock)))


def measure_workers(url: str, workers: int, people: int, concurrency: int) -> dict[str, Any]:
    """`people` split over `workers` processes, `concurrency` in flight in each."""
    context = multiprocessing.get_context("spawn")
    barrier, lock, out = context.Barrier(workers), context.Lock(), context.Queue()
    share = people // workers
    before = asyncio.run(_counts(url))
    processes = [
        context.Process(target=_worker, args=(url, w, share, concurrency, barrier, lock, out))
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    results = [out.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    # Every journey must have left one conversation, intake and referral (warm-ups too).
    check_case_store(before, asyncio.run(_counts(url)), (share + WARMUP) * workers)
    latencies = sorted(ms for r in results for ms in r["latencies"])
    seconds = max(r["ended"] for r in results) - min(r["started"] for r in results)
    return {
        "workers": workers,
        "concurrency_per_worker": concurrency,
        "people": share * workers,
        "turns": len(latencies),
        "turns_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 2),
    }
