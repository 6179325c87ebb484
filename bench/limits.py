"""What a shared rate limit costs per request (issue 15).

    python -m bench.limits [--pg-url URL] [--takes 2000] [--people 120] [--concurrency 16]

1. `take`: one web chat message's check (two buckets: the address and the person) with
   the in-memory limiter and with the PostgreSQL one (`storage/limits.py`, one
   statement in autocommit): latency one at a time, CPU of this process and of the
   PostgreSQL server per take, and takes/s with `concurrency` in flight.
2. The web chat end to end: the real app (create_app, in-process over ASGI, no network)
   on PostgreSQL, `people` playing the housing journey (11 requests each) with
   `concurrency` in flight, once with the in-memory limiter and once with the shared
   one; the difference per request is the price of sharing the limits.

Merges its figures into bench/results.json under "limits" (other keys are kept).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from bench.cpu import backend_cpu, process_cpu, wait_for_quiet
from bench.journey import HOUSING_JOURNEY
from bench.report import write_section
from bench.run import RESULTS, machine, postgres_database
from bot.ratelimit import (
    WEBCHAT_IP,
    WEBCHAT_PERSON,
    Bucket,
    Limiter,
    Limits,
    MemoryLimiter,
    channel_buckets,
)
from relais.app import create_app
from relais.settings import Settings
from storage import Database
from storage.limits import PostgresLimiter

# Generous buckets: the benchmark measures the price of a check, never a refusal.
OPEN = channel_buckets(
    Limits(
        per_ip=Bucket(1e9, 1e9), new_sessions_per_ip=Bucket(1e9, 1e9), per_person=Bucket(1e9, 1e9)
    )
)


async def _sequential(limiter: Limiter, takes: int, database: str) -> dict[str, Any]:
    latencies = []
    cpu, db_cpu = process_cpu(), backend_cpu(database)
    for i in range(takes):
        started = time.perf_counter()
        await limiter.take(f"{WEBCHAT_IP}:10.0.{i % 200}.1", f"{WEBCHAT_PERSON}:p{i % 500}")
        latencies.append((time.perf_counter() - started) * 1e6)
    db_after = backend_cpu(database)
    db_used = None if db_cpu is None or db_after is None else db_after - db_cpu
    return {
        "p50_us": round(statistics.median(latencies), 1),
        "p99_us": round(sorted(latencies)[int(0.99 * len(latencies))], 1),
        "cpu_us_per_take": round((process_cpu() - cpu) * 1e6 / takes, 1),
        "db_server_cpu_us_per_take": None if db_used is None else round(db_used * 1e6 / takes, 1),
    }


async def _concurrent(limiter: Limiter, takes: int, concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            await limiter.take(f"{WEBCHAT_IP}:10.1.{i % 200}.1", f"{WEBCHAT_PERSON}:q{i % 500}")

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(takes)))
    return round(takes / (time.perf_counter() - started), 1)


async def measure_takes(url: str, takes: int, concurrency: int) -> dict[str, Any]:
    database = make_url(url).database or ""
    db = Database(url, pool_size=concurrency, max_overflow=0)
    try:
        await db.upgrade()
        limiters: dict[str, Limiter] = {
            "memory": MemoryLimiter(OPEN),
            "postgresql": PostgresLimiter(db, OPEN, b"bench"),
        }
        out: dict[str, Any] = {}
        for name, limiter in limiters.items():
            await _sequential(limiter, 200, database)  # warm up: connections, statement
            result = await _sequential(limiter, takes, database)
            result["takes_per_s_concurrent"] = await _concurrent(limiter, takes, concurrency)
            out[name] = result
        await limiters["postgresql"].close()  # type: ignore[attr-defined]
        return out
    finally:
        await db.dispose()


def _request(kind: str, value: str, session: str, number: int) -> tuple[str, dict[str, Any]]:
    if kind == "start":
        return "/webchat/sessions", {"lang": value, "source": "bench"}
    body = {"payload": value} if kind == "payload" else {"text": value}
    return f"/webchat/sessions/{session}/messages", {**body, "message_id": f"m{number}"}


async def _journeys(client: httpx.AsyncClient, people: int, concurrency: int) -> list[float]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one() -> None:
        async with gate:
            session = ""
            for number, (kind, value) in enumerate(HOUSING_JOURNEY):
                path, body = _request(kind, value, session, number)
                started = time.perf_counter()
                response = await client.post(path, json=body)
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code not in (200, 201):
                    raise AssertionError(f"{path}: {response.status_code} {response.text}")
                session = session or response.json()["session_id"]

    await asyncio.gather(*(one() for _ in range(people)))
    return latencies


async def measure_webchat(
    url: str, people: int, concurrency: int, quiet: bool = False
) -> dict[str, Any]:
    database = make_url(url).database or ""
    settings = Settings(
        database_url=url,
        secret_key=SecretStr("bench"),
        scheduler=False,
        var_dir=Path(tempfile.mkdtemp(prefix="relais-bench-limits-")),
    )
    app = create_app(settings)
    out: dict[str, Any] = {}
    async with app.router.lifespan_context(app):
        services = app.state.services
        transport = httpx.ASGITransport(app=app)
        shared = PostgresLimiter(services.db, OPEN, b"bench")
        variants: dict[str, Limiter] = {"memory": MemoryLimiter(OPEN), "postgresql": shared}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, limiter in [*variants.items()] * 3:  # three rounds each, interleaved
                services.limiter = limiter
                if quiet:
                    await asyncio.to_thread(wait_for_quiet)
                await _journeys(client, 8, concurrency)  # warm up
                cpu, db_cpu, started = process_cpu(), backend_cpu(database), time.perf_counter()
                latencies = await _journeys(client, people, concurrency)
                seconds = time.perf_counter() - started
                db_after = backend_cpu(database)
                requests = len(latencies)
                result = {
                    "requests": requests,
                    "requests_per_s": round(requests / seconds, 1),
                    "p50_ms": round(statistics.median(latencies), 2),
                    "cpu_ms_per_request": round((process_cpu() - cpu) * 1000 / requests, 3),
                    "db_server_cpu_ms_per_request": (
                        None
                        if db_cpu is None or db_after is None
                        else round((db_after - db_cpu) * 1000 / requests, 3)
                    ),
                }
                out.setdefault(name, []).append(result)
        await shared.close()
    return {name: min(runs, key=lambda r: r["cpu_ms_per_request"]) for name, runs in out.items()}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    info = machine()
    async with postgres_database(args.pg_url) as url:
        if args.wait_quiet:
            await asyncio.to_thread(wait_for_quiet)
        takes = await measure_takes(url, args.takes, args.concurrency)
    async with postgres_database(args.pg_url) as url:
        webchat = await measure_webchat(url, args.people, args.concurrency, args.wait_quiet)
    memory, shared = webchat["memory"], webchat["postgresql"]
    return {
        "takes": takes,
        "webchat": webchat,
        "cost_per_request": {
            "cpu_ms": round(shared["cpu_ms_per_request"] - memory["cpu_ms_per_request"], 3),
            "db_server_cpu_ms": (
                None
                if shared["db_server_cpu_ms_per_request"] is None
                else round(
                    shared["db_server_cpu_ms_per_request"] - memory["db_server_cpu_ms_per_request"],
                    3,
                )
            ),
            "p50_ms": round(shared["p50_ms"] - memory["p50_ms"], 2),
            "throughput_ratio": round(shared["requests_per_s"] / memory["requests_per_s"], 3),
        },
        "people": args.people,
        "concurrency": args.concurrency,
        "machine": info,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def table(results: dict[str, Any]) -> str:
    takes, web, cost = results["takes"], results["webchat"], results["cost_per_request"]

    def cell(value: object) -> str:
        return "—" if value is None else f"{value}"

    rows = [
        "| | in memory (one process) | PostgreSQL (shared) |",
        "|---|---:|---:|",
        *(
            f"| {label} | {cell(takes['memory'][key])} | {cell(takes['postgresql'][key])} |"
            for label, key in (
                ("one take (2 buckets), p50 µs", "p50_us"),
                ("one take, p99 µs", "p99_us"),
                ("Relais CPU per take, µs", "cpu_us_per_take"),
                ("PostgreSQL CPU per take, µs", "db_server_cpu_us_per_take"),
                (f"takes/s, {results['concurrency']} at once", "takes_per_s_concurrent"),
            )
        ),
        *(
            f"| web chat: {label} | {cell(web['memory'][key])} | {cell(web['postgresql'][key])} |"
            for label, key in (
                ("requests/s", "requests_per_s"),
                ("p50 ms", "p50_ms"),
                ("Relais CPU ms per request", "cpu_ms_per_request"),
                ("PostgreSQL CPU ms per request", "db_server_cpu_ms_per_request"),
            )
        ),
        "",
        f"A take is one round trip: {takes['postgresql']['cpu_us_per_take']} µs of Relais CPU "
        f"and {takes['postgresql']['db_server_cpu_us_per_take']} µs of PostgreSQL CPU, "
        f"{takes['postgresql']['p50_us']} µs of latency (p50). End to end the difference "
        f"per request is {cost['cpu_ms']} ms of Relais CPU and {cost['db_server_cpu_ms']} ms "
        f"of PostgreSQL CPU (throughput × {cost['throughput_ratio']}): within this "
        "machine's run-to-run noise. "
        f"{results['people']} people × 11 requests, {results['concurrency']} in flight; "
        f"run {results['date']}, load average at start "
        f"{results['machine']['load_average_at_start']}.",
    ]
    return "\n".join(rows)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default=os.environ.get("RELAIS_TEST_PG_URL", ""))
    parser.add_argument("--takes", type=int, default=2000)
    parser.add_argument("--people", type=int, default=120)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--wait-quiet", action="store_true", help="before each run, wait for idle CPUs"
    )
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if not args.pg_url:
        raise SystemExit("bench.limits needs PostgreSQL: --pg-url or RELAIS_TEST_PG_URL")
    results = asyncio.run(main(args))
    merged = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    merged["limits"] = results
    args.out.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.out == RESULTS:
        write_section("limits", table(results))
    print(table(results))


if __name__ == "__main__":
    run()
