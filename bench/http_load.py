"""Turns through HTTP (issue 14): `wrk` against `relais serve`, on PostgreSQL and SQLite.

    python -m bench.http_load [--people 300] [--connections 2 4 16 64] [--seconds 10]

`relais serve` runs as deployed: every middleware and the rate limits on (the shared
limiter on PostgreSQL, in memory on SQLite), the clock off (no background jobs in the
timed window). PostgreSQL: one instance with one worker process per core
(`--workers`, default the machine's cores), on a cluster started for the run with
production durability (bench/durable_pg.py; or --pg-url); SQLite: the zero-config
default, one worker, a file in a temporary folder.

wrk (Debian's, LuaJIT) plays bench/http_turns.lua. For each number of connections it
first opens `people` fresh chats (untimed; one client address each, X-Forwarded-For from
127.0.0.1 as behind the documented proxy, so the per-address limits are spread as
across real people; the per-person and new-session limits stay on), then, timed, plays
the housing journey of bench/journey.py once in every chat (all its turns but the
first: taps, the town typed, "contact me", which writes an intake and a referral), chats
round robin, every message with a new message id. Every answered message is a durable turn
(committed before the answer). Last, free text only at 16 connections for `seconds`
(every message read by the understanding model), reported apart. Per point: turns/s,
p50/p99 (wrk's histogram), non-2xx answers and time-outs (wrk's 2 s), CPU ms per turn
of the server processes, of the PostgreSQL backends and of wrk itself (the load
generator is not the bottleneck).
Merges "http" into bench/results.json and fills its table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bench.cpu import backend_cpu, pid_cpu
from bench.durable_pg import durable_cluster, server_settings
from bench.journey import HOUSING_JOURNEY, TURNS_PER_JOURNEY
from bench.raw_commits import asyncpg_dsn
from bench.report import write_section
from bench.run import RESULTS, machine, postgres_database

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.chaos import RestartableServer

SCRIPT = Path(__file__).resolve().with_name("http_turns.lua")
# The figure of the targets: 16 connections.
HEADLINE_CONNECTIONS = 16
# Turns each chat plays in a timed run: the housing journey after the chat is opened.
JOURNEY_STEPS = TURNS_PER_JOURNEY - 1


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _wrk_command(base: str, args: list[str], connections: int, seconds: float) -> list[str]:
    threads = min(2, connections)
    return [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "2s",
        "-s",
        str(SCRIPT),
        base,
        "--",
        args[0],
        args[1],
        str(threads),
        *args[2:],
    ]


def _summary(out: str) -> dict[str, Any]:
    line = next(x for x in reversed(out.splitlines()) if x.startswith("{"))
    result: dict[str, Any] = json.loads(line)
    return result


def _wrk(base: str, args: list[str], connections: int, seconds: float) -> dict[str, Any]:
    before = _children_cpu()
    command = _wrk_command(base, args, connections, seconds)
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = _summary(out)
    result["wrk_cpu_s"] = round(_children_cpu() - before, 3)
    return result


def _play(base: str, ids: Path, connections: int, run: str, timeout: float = 600) -> dict[str, Any]:
    """wrk plays the journey once in every chat of `ids`; each wrk thread leaves a marker
    when all its turns are answered, then wrk is stopped (SIGINT)."""
    steps = [f"{kind} {value}\n" for kind, value in HOUSING_JOURNEY[1:]]
    ids.with_name(f"{ids.name}.journey").write_text("".join(steps))
    command = _wrk_command(base, ["journey", str(ids), run], connections, timeout)
    threads = int(command[1][2:])
    markers = [ids.with_name(f"{ids.name}.done.{n}") for n in range(1, threads + 1)]
    before = _children_cpu()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if all(m.exists() for m in markers):
            break
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=30)
    result = _summary(out)
    result["wrk_cpu_s"] = round(_children_cpu() - before, 3)
    return result


def _open_chats(base: str, ids: Path, people: int, timeout: float = 300) -> dict[str, Any]:
    """wrk opens `people` chats (each thread appends to ids.<thread>); stopped with SIGINT
    once they are all there, then joined into `ids`."""
    command = _wrk_command(base, ["create", str(ids), str(people)], 16, timeout)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    parts = [ids.with_name(f"{ids.name}.{n}") for n in (1, 2)]
    count = 0
    while process.poll() is None and time.monotonic() < deadline:
        count = sum(len(p.read_text().split()) for p in parts if p.exists())
        if count >= people:
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=30)
    ids.write_text("".join(p.read_text() for p in parts if p.exists()))
    return _summary(out)


async def _pg_sessions(url: str) -> int:
    """Sessions PostgreSQL has accepted on the database so far (pg_stat_database)."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        found = await conn.fetchval(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        )
    finally:
        await conn.close()
    return int(found or 0)


def _stop(server: RestartableServer) -> None:
    """SIGTERM, so uvicorn's supervisor stops its workers too (SIGKILL would orphan them)."""
    process = server.process
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


def _point(
    result: dict[str, Any], connections: int, cpu: dict[str, float | None]
) -> dict[str, Any]:
    seconds = result["duration_us"] / 1e6
    ok = result["turns"] - result["not_ok"]
    per = 1000 / max(1, ok)
    errors = result["errors"]
    return {
        "connections": connections,
        "turns": ok,
        "seconds": round(seconds, 2),
        "turns_per_s": round(ok / seconds, 1),
        "p50_ms": round(result["latency_us"]["p50"] / 1000, 1),
        "p99_ms": round(result["latency_us"]["p99"] / 1000, 1),
        "max_ms": round(result["latency_us"]["max"] / 1000, 1),
        "not_ok": result["not_ok"],
        "timeouts": errors["timeout"],
        "socket_errors": errors["connect"] + errors["read"] + errors["write"],
        "cpu_ms_per_turn": {
            name: None if value is None else round(value * per, 2) for name, value in cpu.items()
        },
        "wrk_cpu_ms_per_turn": round(result["wrk_cpu_s"] * per, 3),
    }


async def _measure(url: str, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    database = make_url(url).database or ""
    is_pg = not url.startswith("sqlite")
    with tempfile.TemporaryDirectory(prefix="relais-http-") as folder, ExitStack() as stack:
        env = {
            **os.environ,
            "RELAIS_DATABASE_URL": url,
            "RELAIS_SECRET_KEY": "bench-http",
            "RELAIS_SCHEDULER": "false",
            "RELAIS_WORKERS": str(workers),
        }
        server = RestartableServer(env, Path(folder))
        stack.callback(_stop, server)
        await server.start()
        assert server.process is not None
        pid = server.process.pid
        points = []
        free_text = None
        for connections in [*args.connections, 0]:
            # A fresh set of chats for every point (opened before the timed window).
            ids = Path(folder) / f"sessions-{connections}.txt"
            made = await asyncio.to_thread(_open_chats, server.base, ids, args.people)
            sessions = len(ids.read_text().split())
            if sessions < args.people:
                raise RuntimeError(f"only {sessions} of {args.people} chats opened: {made}")
            load = [round(x, 2) for x in os.getloadavg()]
            sessions_before = await _pg_sessions(url) if is_pg else None
            before = pid_cpu(pid, children=True), backend_cpu(database) if is_pg else None
            if connections:
                result = await asyncio.to_thread(
                    _play, server.base, ids, connections, f"c{connections}"
                )
            else:
                # Free text only (every message read by the understanding model).
                connections = HEADLINE_CONNECTIONS
                result = await asyncio.to_thread(
                    _wrk, server.base, ["post", str(ids), "free"], connections, args.seconds
                )
                result["turns"] = result["requests"]
            pg_after = backend_cpu(database) if is_pg else None
            cpu = {
                "server": pid_cpu(pid, children=True) - before[0],
                "postgresql": None
                if before[1] is None or pg_after is None
                else pg_after - before[1],
            }
            point = _point(result, connections, cpu)
            point["load_average_before"] = load
            if sessions_before is not None:
                # Connections PostgreSQL accepted during the point (pool churn, issue 14).
                point["pg_new_sessions"] = await _pg_sessions(url) - sessions_before
            print(json.dumps(point), flush=True)
            if len(points) == len(args.connections):
                free_text = point
            else:
                points.append(point)
    headline = next(
        (p for p in points if p["connections"] == HEADLINE_CONNECTIONS), points[len(points) // 2]
    )
    return {
        "turns_per_s": headline["turns_per_s"],
        "p50_ms": headline["p50_ms"],
        "p99_ms": headline["p99_ms"],
        "connections": headline["connections"],
        "workers": workers,
        "chats_per_point": args.people,
        "turns_per_chat": JOURNEY_STEPS,
        "sweep": points,
        "free_text": free_text,
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "machine": machine(),
        "people": args.people,
        "seconds": args.seconds,
    }
    if "sqlite" in args.databases:
        with tempfile.TemporaryDirectory(prefix="relais-http-db-") as folder:
            print("http, sqlite…", flush=True)
            url = f"sqlite+aiosqlite:///{Path(folder) / 'relais.sqlite3'}"
            results["sqlite"] = await _measure(url, 1, args)
    if "postgresql" in args.databases:
        print("http, postgresql…", flush=True)
        with ExitStack() as stack:
            server = args.pg_url or stack.enter_context(durable_cluster())
            settings = await server_settings(server)
            async with postgres_database(server) as url:
                results["postgresql"] = await _measure(url, args.workers, args)
            results["postgresql"]["durability"] = settings
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return results


def table(results: dict[str, Any]) -> str:
    rows = [
        "| database | workers | connections | turns/s | p50 ms | p99 ms | time-outs | "
        "not 2xx | new PostgreSQL sessions | CPU ms/turn: server | PostgreSQL | wrk | "
        "load average before |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name in ("postgresql", "sqlite"):
        if name not in results:
            continue
        run = results[name]
        free = [run["free_text"]] if run.get("free_text") else []
        for p in [*run["sweep"], *free]:
            pg = p["cpu_ms_per_turn"]["postgresql"]
            label = f"{p['connections']}" + (" (free text only)" if p in free else "")
            rows.append(
                f"| {name} | {run['workers']} | {label} | {p['turns_per_s']:,.0f} | "
                f"{p['p50_ms']} | {p['p99_ms']} | {p['timeouts']} | {p['not_ok']} | "
                f"{p.get('pg_new_sessions', '—')} | {p['cpu_ms_per_turn']['server']} | "
                f"{'—' if pg is None else pg} | "
                f"{p['wrk_cpu_ms_per_turn']} | {p['load_average_before']} |"
            )
    info = results["machine"]
    rows += [
        "",
        f"Run {info['date']} on {info['cpus']} × {info['cpu']}; load average at start "
        f"{info['load_average_at_start']}, at end {info['load_average_at_end']}. wrk 4.1; "
        f"each point: {results['people']} fresh chats play the housing journey once "
        f"({JOURNEY_STEPS} turns each); free text: {results['seconds']} s of typed messages "
        "to the same number of chats.",
    ]
    return "\n".join(rows)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300, help="chats per point")
    parser.add_argument("--connections", type=int, nargs="+", default=[2, 4, 16, 64])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--databases", nargs="+", default=["postgresql", "sqlite"], choices=["postgresql", "sqlite"]
    )
    parser.add_argument("--pg-url", default=os.environ.get("RELAIS_BENCH_PG_URL", ""))
    parser.add_argument("--out", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("bench.http needs wrk: apt-get install wrk")
    results = asyncio.run(main(args))
    merged = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    merged["http"] = results
    args.out.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.out == RESULTS:
        write_section("http", table(results))
    print(table(results))


if __name__ == "__main__":
    run()
