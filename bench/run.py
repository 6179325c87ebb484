"""`make bench`: every measurement side by side, written to bench/results.json and the
table of docs/benchmarks.md.

    python -m bench.run [--people 240] [--concurrency 16] [--pg-url URL]

For each database (a SQLite file in a temporary folder; a PostgreSQL database on a
cluster started for the run with production durability — fsync, full_page_writes and
synchronous_commit on, bench/durable_pg.py — stopped and removed afterwards, or on the
server named by --pg-url; the settings the server reports go into the results): the
raw single-row commit rate, the Relais turn run (throughput, p50/p99, on-disk bytes per
conversation) and the memory burst. The baseline (python-telegram-bot) does not use a
database: it runs once and is compared with both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bench.baseline_ptb import measure_baseline
from bench.durable_pg import durable_cluster, server_settings
from bench.journey import TURNS_PER_JOURNEY
from bench.memory import baseline_memory, relais_memory
from bench.raw_commits import asyncpg_dsn, measure_raw_commits
from bench.relais_turns import measure_turns
from bench.workers import measure_workers

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
DOC = ROOT / "docs" / "benchmarks.md"
TABLE_START, TABLE_END = "<!-- bench:table:start -->", "<!-- bench:table:end -->"


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1).strip() if found else ""
    except OSError:
        pass
    memory_kib = 0
    try:
        found = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
        memory_kib = int(found.group(1)) if found else 0
    except OSError:
        pass
    packages = ("sqlalchemy", "asyncpg", "aiosqlite", "python-telegram-bot", "fastapi")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "python": sys.version.split()[0],
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "packages": {name: metadata.version(name) for name in packages},
    }


@asynccontextmanager
async def postgres_database(server_url: str) -> AsyncIterator[str]:
    server = make_url(server_url)
    name = f"relais_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield server.set(drivername="postgresql+asyncpg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        admin = await asyncpg.connect(asyncpg_dsn(server_url))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def sweep(url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Fewer and more people in flight: latency grows with them once the CPU is full."""
    points = []
    for concurrency in args.sweep:
        result = await measure_turns(
            url, args.sweep_people, concurrency, prefix=f"sweep{concurrency}"
        )
        keep = ("concurrency", "turns_per_s", "p50_ms", "p99_ms", "cpu_ms_per_turn")
        points.append({k: result[k] for k in keep})
    return points


async def one_backend(
    url: str, args: argparse.Namespace, baseline: dict[str, Any]
) -> dict[str, Any]:
    raw = await measure_raw_commits(url, args.concurrency, args.raw_seconds)
    turns = await measure_turns(url, args.people, args.concurrency)
    memory = await relais_memory(url, args.memory_people, args.concurrency)
    points = [] if url.startswith("sqlite") else await sweep(url, args)
    workers = None
    if not url.startswith("sqlite") and args.workers > 1:
        # The same people and the same total in flight, split over worker processes.
        workers = await asyncio.to_thread(
            measure_workers, url, args.workers, args.people, args.concurrency // args.workers
        )
    return {
        "turns_per_s": turns["turns_per_s"],
        "p50_ms": turns["p50_ms"],
        "p99_ms": turns["p99_ms"],
        "raw_commits_per_s": raw["raw_commits_per_s"],
        "ratio_to_raw": round(turns["turns_per_s"] / raw["raw_commits_per_s"], 3),
        "baseline_turns_per_s": baseline["turns_per_s"],
        "ratio_to_baseline": round(turns["turns_per_s"] / baseline["turns_per_s"], 3),
        "kib_per_conversation": memory["kib_per_conversation"],
        "kib_retained_per_conversation": memory["kib_retained_per_conversation"],
        "db_kib_per_conversation": turns["db_kib_per_conversation"],
        "cpu_ms_per_turn": turns["cpu_ms_per_turn"],
        "db_server_cpu_ms_per_turn": turns["db_server_cpu_ms_per_turn"],
        "workers_turns_per_s": workers["turns_per_s"] if workers else None,
        "details": {
            "turns": turns,
            "raw_commits": raw,
            "memory": memory,
            "sweep": points,
            "workers": workers,
        },
    }


def table(results: dict[str, Any]) -> str:
    turns, base = results["turns"], results["baseline"]
    rows = [
        "| | SQLite | PostgreSQL |",
        "|---|---:|---:|",
    ]

    def row(label: str, key: str, fmt: str = "{:,.0f}") -> None:
        cells = [fmt.format(turns[db][key]) if db in turns else "—" for db in DB_ORDER]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")

    row("Relais turns/s", "turns_per_s")
    row("p50 latency (ms)", "p50_ms", "{:.1f}")
    row("p99 latency (ms)", "p99_ms", "{:.1f}")
    rows.append(
        "| Relais turns/s with worker processes (same people and total in flight) | — | "
        + (
            f"{turns['postgresql']['workers_turns_per_s']:,.0f} "
            f"({turns['postgresql']['details']['workers']['workers']} workers)"
            if turns.get("postgresql", {}).get("workers_turns_per_s")
            else "—"
        )
        + " |"
    )
    row("raw single-row commits/s (same DB)", "raw_commits_per_s")
    row("turns/s ÷ raw commits/s", "ratio_to_raw", "{:.2f}")
    row("baseline (PTB ConversationHandler + PicklePersistence) turns/s", "baseline_turns_per_s")
    row("Relais ÷ baseline", "ratio_to_baseline", "{:.2f}")
    row("memory per active conversation (KiB, peak)", "kib_per_conversation", "{:.1f}")
    row("memory kept per waiting conversation (KiB)", "kib_retained_per_conversation", "{:.1f}")
    row("on disk per finished conversation (KiB)", "db_kib_per_conversation", "{:.1f}")
    row("Python CPU per turn (ms)", "cpu_ms_per_turn", "{:.2f}")
    rows.append(
        "| database server CPU per turn (ms) | — | "
        + (
            f"{turns['postgresql']['db_server_cpu_ms_per_turn']:.2f}"
            if turns.get("postgresql", {}).get("db_server_cpu_ms_per_turn") is not None
            else "—"
        )
        + " |"
    )
    info = results["machine"]
    rows += [
        "",
        f"Run {info['date']} on {info['cpus']} × {info['cpu']}, {info['memory_gib']} GiB, "
        f"Python {info['python']}; load average at start {info['load_average_at_start']}. "
        f"{results['people']} people × {results['turns_per_journey']} turns, "
        f"{results['concurrency']} in flight. Baseline in memory only (no persistence "
        f"write): {base['in_memory_turns_per_s']:,.0f} turns/s; baseline memory per "
        f"active conversation {results['baseline_memory']['kib_per_conversation']:.1f} KiB "
        f"(peak), {results['baseline_memory']['kib_retained_per_conversation']:.1f} KiB kept.",
    ]
    durability = results.get("durability", {})
    if "postgresql" in durability:
        pg = durability["postgresql"]
        rows.append(
            "\n" + f"Durability: PostgreSQL {pg['server_version']} with fsync={pg['fsync']}, "
            f"full_page_writes={pg['full_page_writes']}, "
            f"synchronous_commit={pg['synchronous_commit']} "
            f"(wal_sync_method={pg['wal_sync_method']}); SQLite in WAL mode with "
            f"synchronous={durability['sqlite']['synchronous']} (2 = FULL)."
        )
    return "\n".join(rows)


DB_ORDER = ("sqlite", "postgresql")


def write_table(results: dict[str, Any]) -> None:
    if not DOC.exists():
        return
    text = DOC.read_text(encoding="utf-8")
    if TABLE_START not in text or TABLE_END not in text:
        return
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    DOC.write_text(f"{head}{TABLE_START}\n{table(results)}\n{TABLE_END}{tail}", encoding="utf-8")


async def main(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "machine": machine(),
        "people": args.people,
        "concurrency": args.concurrency,
        "turns_per_journey": TURNS_PER_JOURNEY,
        "journey": "housing (bench/journey.py)",
    }
    with tempfile.TemporaryDirectory(prefix="relais-bench-") as folder:
        work = Path(folder)
        print("baseline (python-telegram-bot)…", flush=True)
        baseline = await measure_baseline(work / "ptb.pickle", args.people, args.concurrency)
        results["baseline"] = baseline
        results["baseline_memory"] = await baseline_memory(
            work / "ptb-memory.pickle", args.memory_people, args.concurrency
        )
        results["turns"] = {}
        print("sqlite…", flush=True)
        sqlite_url = f"sqlite+aiosqlite:///{work / 'relais.sqlite3'}"
        results["turns"]["sqlite"] = await one_backend(sqlite_url, args, baseline)
        results["durability"] = {
            "sqlite": {
                "journal_mode": "wal",
                "synchronous": results["turns"]["sqlite"]["details"]["raw_commits"]["server"][
                    "synchronous"
                ],
            }
        }
        if args.postgres:
            print("postgresql…", flush=True)
            with ExitStack() as stack:
                server = args.pg_url or stack.enter_context(durable_cluster())
                results["durability"]["postgresql"] = await server_settings(server)
                print(f"postgresql settings: {results['durability']['postgresql']}", flush=True)
                async with postgres_database(server) as pg_url:
                    results["turns"]["postgresql"] = await one_backend(pg_url, args, baseline)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return results


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=240)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--memory-people", type=int, default=200)
    parser.add_argument("--raw-seconds", type=float, default=5.0)
    parser.add_argument("--sweep", type=int, nargs="*", default=[4, 64])
    parser.add_argument("--sweep-people", type=int, default=80)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (PostgreSQL)")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("RELAIS_BENCH_PG_URL", ""),
        help="a PostgreSQL server to use instead of starting a durable one for the run",
    )
    parser.add_argument("--no-postgres", dest="postgres", action="store_false", help="SQLite only")
    parser.add_argument("--out", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> None:
    args = parse(argv)
    results = asyncio.run(main(args))
    # Other benchmarks (bench/appointments.py) keep their own keys in the same file.
    merged = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    merged.update(results)
    args.out.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.out == RESULTS:
        write_table(results)
    print(table(results))


if __name__ == "__main__":
    run()
