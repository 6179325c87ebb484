"""Turn throughput and latency of the full Relais runtime (engine + persistence + outbox).

`people` simulated people play the housing journey; at most `concurrency` of them are in
the middle of it at any time (a new one starts when one finishes). Every turn goes
through `Runtime.handle` exactly as a channel adapter would call it: per-person lock,
inbox idempotency (each message has an id), one transaction per turn, replies written to
the outbox. After the run the case store is checked: one new conversation, intake and
referral per person.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bench.cpu import postgres_cpu, process_cpu
from bench.footprint import store_bytes
from bench.journey import HOUSING_JOURNEY, typed_town
from bot.pseudonyms import Pseudonymizer
from bot.runtime import Inbound, Runtime
from conversations.engine import Engine
from conversations.model import Event
from relais.gc_freeze import freeze_startup_objects
from relais.settings import Settings
from relais.wiring import build_engine
from storage import Database
from storage.models import Conversation, Intake, Referral

# Numbers the runs of this process (measure_turns names each run's people apart).
_RUNS = itertools.count(1)


@dataclass
class TurnStats:
    turns: int
    seconds: float
    latencies_ms: list[float]
    # Time spent handling turns only (the baseline adds a persistence flush after them).
    busy_seconds: float = 0.0
    # CPU time of this process (all threads) and of a local PostgreSQL over the run.
    cpu_seconds: float = 0.0
    db_cpu_seconds: float | None = None

    @property
    def turns_per_s(self) -> float:
        return self.turns / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def summary(self) -> dict[str, Any]:
        return {
            "turns": self.turns,
            "seconds": round(self.seconds, 3),
            "turns_per_s": round(self.turns_per_s, 1),
            "p50_ms": round(statistics.median(self.latencies_ms), 2),
            "p99_ms": round(self.percentile(0.99), 2),
            "cpu_ms_per_turn": round(self.cpu_seconds * 1000 / self.turns, 3),
            "db_server_cpu_ms_per_turn": (
                None
                if self.db_cpu_seconds is None
                else round(self.db_cpu_seconds * 1000 / self.turns, 3)
            ),
        }


def event_of(kind: str, value: str) -> Event:
    if kind == "start":
        return Event.start(lang_hint=value, source="bench")
    if kind == "payload":
        return Event.button(value)
    return Event.message(value)


def build_runtime(db: Database, engine: Engine | None = None) -> Runtime:
    """The runtime `relais serve` builds, on the given database, with the shipped flows
    (and, as its start-up does, the start-up objects frozen out of the collector's way)."""
    runtime = Runtime(db, engine or build_engine(Settings()), Pseudonymizer(b"bench-key"))
    freeze_startup_objects()
    return runtime


async def play_journey(
    runtime: Runtime, person: str, latencies: list[float] | None = None, stop_after: int = 0
) -> None:
    """One person's housing journey; `stop_after` > 0 stops after that many turns."""
    steps = HOUSING_JOURNEY[:stop_after] if stop_after else HOUSING_JOURNEY
    town = typed_town(zlib.crc32(person.encode()))
    for number, (kind, value) in enumerate(steps):
        value = town if kind == "text" else value
        inbound = Inbound("web", person, event_of(kind, value), message_id=f"m{number}")
        started = time.perf_counter()
        await runtime.handle(inbound)
        if latencies is not None:
            latencies.append((time.perf_counter() - started) * 1000)


async def run_people(runtime: Runtime, prefix: str, people: int, concurrency: int) -> TurnStats:
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int) -> None:
        async with gate:
            await play_journey(runtime, f"{prefix}-{index}", latencies)

    cpu, db_cpu, started = process_cpu(), postgres_cpu(), time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(people)))
    elapsed = time.perf_counter() - started
    db_after = postgres_cpu()
    db_used = None if db_cpu is None or db_after is None else db_after - db_cpu
    return TurnStats(len(latencies), elapsed, latencies, elapsed, process_cpu() - cpu, db_used)


async def case_store_counts(db: Database) -> dict[str, int]:
    async with db.transaction() as session:
        counts = {
            "conversations": await session.scalar(select(func.count(Conversation.id))),
            "intakes": await session.scalar(select(func.count(Intake.id))),
            "referrals": await session.scalar(select(func.count(Referral.id))),
        }
    return {k: int(v or 0) for k, v in counts.items()}


def check_case_store(before: dict[str, int], after: dict[str, int], people: int) -> dict[str, int]:
    """Every journey must have left one conversation, one intake and one referral."""
    added = {name: after[name] - before[name] for name in after}
    for name, count in added.items():
        if count != people:
            raise AssertionError(f"expected {people} new {name}, found {count}")
    return added


async def measure_turns(
    url: str, people: int, concurrency: int, warmup: int = 8, prefix: str = ""
) -> dict[str, Any]:
    """Run the journey for `people` new people (named `prefix`-n) on the database at `url`.

    Each run in a process gets its own names by default ("person1", "person2"…): the
    understanding remembers short texts per process, so a second run with the same
    people would type towns the first one made it read, and measure the memo alone."""
    prefix = prefix or f"person{next(_RUNS)}"
    options: dict[str, Any] = {}
    if not url.startswith("sqlite"):
        options = {"pool_size": concurrency, "max_overflow": 0}
    db = Database(url, **options)
    try:
        await db.upgrade()
        empty, before = await store_bytes(db), await case_store_counts(db)
        runtime = build_runtime(db)
        await run_people(runtime, f"{prefix}-warm", warmup, concurrency)
        stats = await run_people(runtime, prefix, people, concurrency)
        checked = check_case_store(before, await case_store_counts(db), people + warmup)
        stored = await store_bytes(db) - empty
    finally:
        await db.dispose()
    return {
        **stats.summary(),
        "people": people,
        "concurrency": concurrency,
        "turns_per_journey": len(HOUSING_JOURNEY),
        "checked": checked,
        "db_kib_per_conversation": round(stored / (people + warmup) / 1024, 2),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
