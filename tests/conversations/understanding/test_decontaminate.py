"""The held-out rule's decontamination: near copies of a held-out message are dropped."""

from __future__ import annotations

from pathlib import Path

from conversations.understanding.corpus import Example, load_file
from conversations.understanding.decontaminate import (
    decontaminate_file,
    held_out_by_language,
    too_close,
)

HELD_OUT = held_out_by_language(
    [
        Example("fr", "housing_emergency", "je dors dans ma voiture depuis hier soir"),
        Example("en", "distress", "i cut my arms again last night"),
    ]
)


def test_a_near_copy_is_too_close() -> None:
    assert too_close("Je dors dans ma voiture depuis hier", HELD_OUT["fr"])  # ratio
    assert too_close("depuis hier soir je dors dans ma voiture", HELD_OUT["fr"])  # word order


def test_another_situation_is_kept() -> None:
    assert not too_close("le 115 ne répond pas et il pleut", HELD_OUT["fr"])
    assert not too_close("anything", [])


def test_a_file_keeps_only_far_messages_and_says_how_many_were_dropped(tmp_path: Path) -> None:
    path = tmp_path / "fr_extra9.yaml"
    path.write_text(
        "# fr extra9 training set: machine-drafted.\n"
        "language: fr\n"
        "examples:\n"
        "  housing_emergency:\n"
        '    - "je dors dans ma voiture depuis hier"\n'
        '    - "on m\'a mis dehors ce matin, je suis à la gare"\n'
        "  appointment/bus:\n"
        '    - "il passe où le bus jeudi ?"\n',
        encoding="utf-8",
    )
    assert decontaminate_file(path, HELD_OUT, ["test", "blind"]) == (2, 1)
    kept = load_file(path)
    assert [(e.label, e.text) for e in kept] == [
        ("housing_emergency", "on m'a mis dehors ce matin, je suis à la gare"),
        ("appointment/bus", "il passe où le bus jeudi ?"),
    ]
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("# fr extra9 training set")
    assert "1 of 3 dropped as too close to a test/blind message" in header
    assert header.endswith("2 kept.")
