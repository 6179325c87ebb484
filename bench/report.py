"""Writes a benchmark's Markdown table between its markers in docs/benchmarks.md."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def write_section(name: str, table: str, doc: Path = DOC) -> None:
    """Replace what is between `<!-- bench:NAME:start -->` and its end marker."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    if not doc.exists():
        return
    text = doc.read_text(encoding="utf-8")
    if start not in text or end not in text:
        return
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    doc.write_text(f"{head}{start}\n{table}\n{end}{tail}", encoding="utf-8")


def request_summary(latencies: list[float], seconds: float, errors: int) -> dict[str, Any]:
    """Requests, errors, throughput and latency percentiles of one run."""
    ordered = sorted(latencies) or [0.0]
    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": round(seconds, 2),
        "requests_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 1),
    }
