"""Start-up objects out of the garbage collector's way.

At start-up Relais loads about 180 000 long-lived objects (the understanding models'
vocabularies and lexicons, flows, catalogs, the directory, SQLAlchemy's metadata). Each
full (generation 2) collection walks all of them, during which every turn in flight
waits: 101–108 ms for `gc.collect()` after `build_engine` (2026-12-07, AMD EPYC).
`gc.freeze()` moves what exists after start-up into a permanent generation that no
collection walks (the same collection then takes under 0.1 ms; 2.5 ms at the end of a
benchmark run, with what its turns left alive); what turns create is collected as before.
Called by the app's start-up and by the benchmarks that build the same runtime; it acts
once per process (each uvicorn worker is one), so a process that starts several apps
(the tests) freezes only the first one's objects.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> int:
    """Collect, then freeze the survivors, the first time; returns how many are frozen."""
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()
    return gc.get_freeze_count()
