"""`relais understand` in a real subprocess: JSON lines in and out, and --eval."""

from __future__ import annotations

import json
import subprocess
import sys

RELAIS = [sys.executable, "-m", "relais.cli", "understand"]
INTENTS = {
    "housing",
    "housing_emergency",
    "cej",
    "aid",
    "appointment",
    "violence",
    "distress",
    "human",
    "language",
    "other",
}


def test_one_json_object_per_line() -> None:
    lines = ["jsui a la rue ce soir", "I need a flat", "أحتاج سكن", "мені потрібне житло", ""]
    done = subprocess.run(
        RELAIS, input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(lines)
    for result in results:
        assert set(result) == {"intent", "language", "confidence"}
        assert result["intent"] in INTENTS
        assert 0.0 <= result["confidence"] <= 1.0
    assert [r["intent"] for r in results[:4]] == [
        "housing_emergency",
        "housing",
        "housing",
        "housing",
    ]
    assert [r["language"] for r in results] == ["fr", "en", "ar", "uk", None]


def test_eval_prints_a_table_per_language() -> None:
    # A hang guard, not a speed check: on a busy 2-core machine the eval takes minutes.
    done = subprocess.run([*RELAIS, "--eval"], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    first_words = [line.split()[0] for line in done.stdout.splitlines() if line.strip()]
    for language in ("fr", "en", "ar", "fa_AF", "ps", "uk", "ru", "ti", "bn", "tr", "all"):
        assert language in first_words
    assert "emergency recall" in done.stdout
