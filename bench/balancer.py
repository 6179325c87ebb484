"""Throughput through a real balancer (issue 15): nginx (Debian) in front of 1, 2 and 3
`relais serve` instances on one PostgreSQL, round robin, no stickiness.

    python -m bench.balancer [--pg-url URL] [--people 160] [--concurrency 32]

For each number of instances: a fresh database, the instances started (clock off), nginx
on loopback (tests/support/balancer.py, the configuration of docs/deployment.md), then
`people` simulated people play the housing journey over HTTP (11 requests: open the
chat, 9 taps and one typed answer; an intake and a referral at the end), `concurrency`
of them at a time, each request going wherever nginx sends it; then each polls for
later messages a few times, as the open chat page does every 3 s. Each person has its own
client address (X-Forwarded-For kept by this benchmark's nginx) so the per-address
limit of the web chat does not cap the run; the per-person limits and the shared
limiter are on, as in production. Also: one instance without nginx, for the proxy's
own cost. CPU seconds of the instances, nginx, PostgreSQL and the load generator are
read from /proc. Merges "balancer" into bench/results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy.engine import make_url

from bench.balancer_report import median_run, table
from bench.cpu import backend_cpu, busy_cpu, pid_cpu, process_cpu, wait_for_quiet
from bench.journey import HOUSING_JOURNEY
from bench.relais_turns import measure_turns
from bench.report import request_summary, write_section
from bench.run import RESULTS, machine, postgres_database

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.balancer import nginx
from support.chaos import RestartableServer


def _address(person: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"10.{person // 65536}.{person // 256 % 256}.{person % 256}"}


async def _journeys(
    base: str, people: int, concurrency: int, sessions: list[tuple[int, str, int]] | None = None
) -> dict[str, Any]:
    """Every person plays the housing journey (`sessions` collects their ids and cursors)."""
    latencies: list[float] = []
    errors = 0
    gate = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    async with aiohttp.ClientSession(base, connector=connector) as http:

        async def one(person: int) -> None:
            nonlocal errors
            async with gate:
                session, cursor = "", 0
                for number, (kind, value) in enumerate(HOUSING_JOURNEY):
                    if kind == "start":
                        path, body = "/webchat/sessions", {"lang": value, "source": "bench"}
                    else:
                        path = f"/webchat/sessions/{session}/messages"
                        key = "payload" if kind == "payload" else "text"
                        body = {key: value, "message_id": f"m{number}"}
                    started = time.perf_counter()
                    async with http.post(path, json=body, headers=_address(person)) as response:
                        data = await response.json()
                        if response.status not in (200, 201):
                            errors += 1
                            return
                    latencies.append((time.perf_counter() - started) * 1000)
                    session, cursor = session or data["session_id"], data["cursor"]
                if sessions is not None:
                    sessions.append((person, session, cursor))

        started = time.perf_counter()
        await asyncio.gather(*(one(p) for p in range(people)))
        seconds = time.perf_counter() - started
    return request_summary(latencies, seconds, errors)


async def _polls(
    base: str, sessions: list[tuple[int, str, int]], rounds: int, concurrency: int
) -> dict[str, Any]:
    """The chat page's poll (GET …/messages?after=cursor, every 3 s while open), `rounds`
    times per person, nothing new to fetch: what an open page costs."""
    latencies: list[float] = []
    errors = 0
    gate = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    async with aiohttp.ClientSession(base, connector=connector) as http:

        async def one(person: int, session: str, cursor: int) -> None:
            nonlocal errors
            async with gate:
                for _ in range(rounds):
                    started = time.perf_counter()
                    path = f"/webchat/sessions/{session}/messages"
                    params = {"after": str(cursor)}
                    async with http.get(path, params=params, headers=_address(person)) as reply:
                        await reply.read()
                        if reply.status != 200:
                            errors += 1
                            return
                    latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(one(*entry) for entry in sessions))
        seconds = time.perf_counter() - started
    return request_summary(latencies, seconds, errors)


def _instances(url: str, count: int, folder: Path) -> list[RestartableServer]:
    env = {
        **os.environ,
        "RELAIS_DATABASE_URL": url,
        "RELAIS_SECRET_KEY": "bench-balancer",
        "RELAIS_SCHEDULER": "false",
    }
    servers = []
    for i in range(count):
        (folder / f"i{i}").mkdir(parents=True, exist_ok=True)
        servers.append(RestartableServer(env, folder / f"i{i}"))
    return servers


async def _run(url: str, count: int, direct: bool, args: argparse.Namespace) -> dict[str, Any]:
    database = make_url(url).database or ""
    with tempfile.TemporaryDirectory(prefix="relais-balancer-") as folder, ExitStack() as stack:
        servers = _instances(url, count, Path(folder))
        for server in servers:
            stack.callback(server.stop)
        await asyncio.gather(*(server.start() for server in servers))
        if direct:
            base, nginx_pid = servers[0].base, None
        else:
            ports = [[server.port for server in servers]]
            base = stack.enter_context(nginx(Path(folder) / "nginx", ports, True))[0]
            nginx_pid = int((Path(folder) / "nginx" / "nginx.pid").read_text())
        await _journeys(base, 8, args.concurrency)  # warm up every instance
        pids = [s.process.pid for s in servers if s.process is not None]
        before = (
            [pid_cpu(pid) for pid in pids],
            pid_cpu(nginx_pid, children=True) if nginx_pid else 0.0,
            backend_cpu(database),
            process_cpu(),
        )
        machine_before = busy_cpu()
        sessions: list[tuple[int, str, int]] = []
        result = await _journeys(base, args.people, args.concurrency, sessions)
        instances_cpu = sum(pid_cpu(p) for p in pids) - sum(before[0])
        nginx_cpu = (pid_cpu(nginx_pid, children=True) if nginx_pid else 0.0) - before[1]
        pg_after = backend_cpu(database)
        ours = instances_cpu + nginx_cpu + (process_cpu() - before[3])
        ours += 0.0 if before[2] is None or pg_after is None else pg_after - before[2]
        # CPU used by anything else on the machine meanwhile (a shared machine's noise).
        others = busy_cpu() - machine_before - ours
        cpus = os.cpu_count() or 1
        result["others_cpu_share"] = round(max(0.0, others) / (cpus * result["seconds"]), 2)
        per = 1000 / result["requests"]
        result.update(
            {
                "instances": count,
                "through": "direct" if direct else "nginx",
                "cpu_ms_per_request": {
                    "instances": round(instances_cpu * per, 2),
                    "nginx": round(nginx_cpu * per, 2),
                    "postgresql": None
                    if before[2] is None or pg_after is None
                    else round((pg_after - before[2]) * per, 2),
                    "load_generator": round((process_cpu() - before[3]) * per, 2),
                },
            }
        )
        cpu_before = sum(pid_cpu(p) for p in pids), backend_cpu(database)
        polls = await _polls(base, sessions, args.poll_rounds, args.concurrency)
        pg_polls = backend_cpu(database)
        per_poll = 1000 / max(1, polls["requests"])
        polls["cpu_ms_per_request"] = {
            "instances": round((sum(pid_cpu(p) for p in pids) - cpu_before[0]) * per_poll, 2),
            "postgresql": None
            if cpu_before[1] is None or pg_polls is None
            else round((pg_polls - cpu_before[1]) * per_poll, 2),
        }
        result["polls"] = polls
        return result


async def main(args: argparse.Namespace) -> dict[str, Any]:
    runs: dict[str, Any] = {}
    async with postgres_database(args.pg_url) as url:
        # The same machine, the same minute, no HTTP: the runtime's own cost per turn
        # (bench/relais_turns.py), to read the figures below against.
        if args.wait_quiet:
            await asyncio.to_thread(wait_for_quiet)
        turns = await measure_turns(url, 80, 16)
    calibration = {k: turns[k] for k in ("turns_per_s", "p50_ms", "cpu_ms_per_turn")}
    plan = [(1, True)] + [(n, False) for n in args.instances]
    for count, direct in plan:
        name = f"{count}_direct" if direct else str(count)
        # On a shared machine each configuration runs `repeat` times; the run with the
        # median throughput stands for it, with the range of all runs.
        done: list[dict[str, Any]] = []
        for _ in range(args.repeat):
            async with postgres_database(args.pg_url) as url:
                print(f"{count} instance(s), {'direct' if direct else 'nginx'}…", flush=True)
                idle = await asyncio.to_thread(wait_for_quiet) if args.wait_quiet else None
                run = await _run(url, count, direct, args)
                run["idle_before"] = idle
                print(json.dumps(run), flush=True)
            done.append(run)
        runs[name] = median_run(done)
    return {
        "runs": runs,
        "people": args.people,
        "concurrency": args.concurrency,
        "requests_per_person": len(HOUSING_JOURNEY),
        "poll_rounds": args.poll_rounds,
        "runtime_without_http": calibration,
        "machine": machine(),
    }


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default=os.environ.get("RELAIS_TEST_PG_URL", ""))
    parser.add_argument("--people", type=int, default=160)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--instances", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--poll-rounds", type=int, default=5, help="polls per person")
    parser.add_argument(
        "--wait-quiet", action="store_true", help="before each run, wait for idle CPUs"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per configuration")
    parser.add_argument("--out", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if not args.pg_url:
        raise SystemExit("bench.balancer needs PostgreSQL: --pg-url or RELAIS_TEST_PG_URL")
    results = asyncio.run(main(args))
    merged = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    merged["balancer"] = results
    args.out.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.out == RESULTS:
        write_section("balancer", table(results))
    print(table(results))


if __name__ == "__main__":
    run()
