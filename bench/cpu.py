"""CPU time, to say where a turn's time goes: this Python process, and the PostgreSQL
server when it runs on this machine (its processes are read from /proc)."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path


def process_cpu() -> float:
    """User + system CPU seconds of this process so far (every thread)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def postgres_cpu() -> float | None:
    """CPU seconds of every local `postgres` process, exited backends included (they are
    counted in their parent's children time); None when /proc cannot tell."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    found = False
    try:
        entries = [p for p in Path("/proc").iterdir() if p.name.isdigit()]
    except OSError:
        return None
    for entry in entries:
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if not name.startswith("postgres"):
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        # utime, stime, cutime, cstime (fields 14-17 of proc(5), 0-based 11-14 here)
        total += sum(int(v) for v in fields[11:15])
        found = True
    return total / ticks if found else None


def backend_cpu(database: str) -> float | None:
    """CPU seconds of the PostgreSQL backends connected to `database` right now (their
    process title names it): what serving that database cost, whatever else the server
    (or another cluster on this machine) is doing. None when /proc cannot tell."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    try:
        entries = [p for p in Path("/proc").iterdir() if p.name.isdigit()]
    except OSError:
        return None
    for entry in entries:
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not title.startswith("postgres: ") or f" {database} " not in title:
                continue
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += sum(int(v) for v in fields[11:13])
    return total / ticks


def pid_cpu(pid: int, children: bool = False) -> float:
    """CPU seconds of one process (with `children`: plus its live children, e.g. nginx's
    workers); 0 when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    total = sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    if children:
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            total += sum(pid_cpu(int(child)) for child in task.read_text().split())
    return total


def _cpu_times() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return fields[3] + fields[4], sum(fields)  # idle + iowait, total


def wait_for_quiet(min_idle: float = 0.85, window: float = 3.0, timeout: float = 900) -> float:
    """On a shared machine: wait until the CPUs were at least `min_idle` idle over
    `window` seconds (or `timeout` passed); returns the idle share last seen."""
    deadline = time.monotonic() + timeout
    while True:
        idle_before, total_before = _cpu_times()
        time.sleep(window)
        idle_after, total_after = _cpu_times()
        idle = (idle_after - idle_before) / max(1, total_after - total_before)
        if idle >= min_idle or time.monotonic() > deadline:
            return round(idle, 2)


def busy_cpu() -> float:
    """CPU seconds the whole machine has spent busy (all CPUs, since boot)."""
    idle, total = _cpu_times()
    return (total - idle) / os.sysconf("SC_CLK_TCK")
