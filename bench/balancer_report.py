"""The table of bench/balancer.py in docs/benchmarks.md, and how repeated runs of one
configuration are summed up (the run with the median throughput, and every run's)."""

from __future__ import annotations

from typing import Any


def median_run(done: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(done, key=lambda run: run["requests_per_s"])
    median = dict(ordered[len(ordered) // 2])
    median["all_runs"] = [
        {
            "requests_per_s": run["requests_per_s"],
            "cpu_ms_instances": run["cpu_ms_per_request"]["instances"],
            "polls_per_s": run["polls"]["requests_per_s"],
            "others_cpu_share": run["others_cpu_share"],
        }
        for run in done
    ]
    return median


def table(results: dict[str, Any]) -> str:
    """The Markdown table of docs/benchmarks.md (between the balancer markers)."""
    rows = [
        "| | requests/s (all runs) | p50 ms | p99 ms | CPU ms/request: instances | nginx "
        "| PostgreSQL | load generator | polls/s | CPU ms/poll: instances "
        "| CPUs busy with other work |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, run in results["runs"].items():
        cpu, polls = run["cpu_ms_per_request"], run["polls"]
        label = "1 instance, no nginx" if name.endswith("direct") else f"{name} behind nginx"
        spread = ", ".join(f"{r['requests_per_s']:,.0f}" for r in run.get("all_runs", []))
        rows.append(
            f"| {label} | **{run['requests_per_s']:,.0f}** ({spread}) | {run['p50_ms']:.0f} "
            f"| {run['p99_ms']:.0f} | {cpu['instances']:.2f} | {cpu['nginx']:.2f} "
            f"| {cpu['postgresql'] if cpu['postgresql'] is not None else '—'} "
            f"| {cpu['load_generator']:.2f} | {polls['requests_per_s']:,.0f} "
            f"| {polls['cpu_ms_per_request']['instances']:.2f} "
            f"| {run['others_cpu_share']:.0%} |"
        )
    info = results["machine"]
    rows += [
        "",
        "The run with the median throughput of each configuration; in brackets, every run. "
        f"{results['people']} people × {results['requests_per_person']} requests (the housing "
        f"journey), {results['concurrency']} people in flight, then {results['poll_rounds']} "
        f"polls each; run {info['date']} on {info['cpus']} × {info['cpu']}, "
        f"Python {info['python']}. The same minute, without HTTP (bench/relais_turns.py, "
        f"one process, 16 in flight): {results['runtime_without_http']['turns_per_s']:,.0f} "
        f"turns/s, {results['runtime_without_http']['cpu_ms_per_turn']:.2f} ms CPU per turn.",
    ]
    return "\n".join(rows)
