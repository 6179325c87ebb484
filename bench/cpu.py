"""CPU time, to say where a turn's time goes: this Python process, and the PostgreSQL
server when it runs on this machine (its processes are read from /proc)."""

from __future__ import annotations

import os
import resource
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
