"""Comparing two models message by message (the paired counts a run's rule judges on)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.understanding import default_understander
from conversations.understanding.compare import (
    Reading,
    compare,
    figures,
    main,
    sign_test,
    understander_from,
)
from conversations.understanding.learned import MODEL_DIR
from conversations.understanding.lexicon import LEXICON_DIR


def test_the_sign_test_is_exact_and_two_sided() -> None:
    assert sign_test(8, 4) == pytest.approx(794 / 2048)  # 2 * (1+12+66+220+495) / 2**12
    assert sign_test(4, 8) == sign_test(8, 4)
    assert sign_test(5, 0) == pytest.approx(2 / 32)
    assert sign_test(3, 3) == 1.0
    assert sign_test(0, 0) == 1.0


def _reading(emergency: bool, read: bool, asked: bool = False, right: bool = True) -> Reading:
    return Reading(emergency, read, asked, right)


def test_paired_counts_say_what_each_model_alone_gets() -> None:
    shipped = [
        _reading(True, read=True),
        _reading(True, read=True),
        _reading(True, read=False, asked=True, right=False),
        _reading(False, read=True, right=False),
        _reading(False, read=False),
    ]
    candidate = [
        _reading(True, read=True),
        _reading(True, read=False, asked=False, right=False),
        _reading(True, read=True),
        _reading(False, read=False),
        _reading(False, read=False),
    ]
    found = compare(shipped, candidate)
    read = found["emergencies read as one"]
    assert (read.first, read.second) == (1, 1)
    net = found["emergencies read or asked"]
    assert (net.first, net.second) == (1, 0)
    false = found["false emergencies"]
    assert (false.first, false.second) == (1, 0)
    right = found["right intent"]
    assert (right.first, right.second) == (1, 2)
    assert figures(shipped) == (
        "accuracy 3/5, emergencies read 2/3, read or asked 3/3, false emergencies 1/2"
    )


def test_both_models_must_read_the_same_messages() -> None:
    with pytest.raises(ValueError):
        compare([_reading(True, read=True)], [])


def test_a_model_folder_reads_like_the_shipped_model_it_holds() -> None:
    shipped, loaded = default_understander(), understander_from(MODEL_DIR)
    for text in ("jsui a la rue ce soir", "il est ou le bus", "мені потрібне житло", "merci"):
        assert loaded.understand(text) == shipped.understand(text)


def test_an_unknown_set_is_refused_before_any_model_is_loaded(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([str(MODEL_DIR), "blind99"])
    assert exit_info.value.code == 2
    assert "unknown set blind99" in capsys.readouterr().err


def test_a_candidate_lexicon_is_the_one_read(tmp_path: Path) -> None:
    for source in LEXICON_DIR.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), "utf-8")
    english = tmp_path / "en.yaml"
    english.write_text(
        english.read_text(encoding="utf-8").replace("distress:\n", "distress:\n  - zorblax\n"),
        "utf-8",
    )
    assert "distress" not in understander_from(MODEL_DIR).rule_scores("zorblax")
    candidate = understander_from(MODEL_DIR, tmp_path)
    assert candidate.rule_scores("zorblax") == {"distress": 1.0}
