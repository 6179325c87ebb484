"""Flows as data: the shipped ones validate; each kind of broken definition is refused."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conversations import advice
from conversations.flows import FlowError, Flows, load_flows
from conversations.steps import registry as steps

HANDLERS = frozenset(steps.REGISTRY)
ADVICE = frozenset(advice.ADVICE)

MENU = """
    id: menu
    start: main
    steps:
      main:
        text: "Hello"
        choices:
          go: {label: "Go", next: other}
      other:
        text: "Bye"
        next: main
"""


def _write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")


def _validated(directory: Path) -> Flows:
    flows = load_flows(directory)
    flows.validate(HANDLERS, ADVICE)
    return flows


def test_shipped_flows_load_and_validate() -> None:
    flows = load_flows()
    flows.validate(HANDLERS, ADVICE)
    assert set(flows.flows) == {"entry", "menu", "info", "housing", "cej", "aid", "appointment"} | {
        "health",
        "mental_health",
        "papers",
        "french",
        "more_help",
        "minors",
        "care_leavers",
        "childcare",
        "mobility",
        "rights",
        "discrimination",
    }
    for flow in flows.flows.values():
        assert flow.start in flow.steps


def test_shipped_templates_are_expanded_with_overrides() -> None:
    step = load_flows().step("housing", "age")
    assert step.save == "age_band"
    assert step.profile is True
    assert [c.value for c in step.choices] == ["u16", "16_17", "18_25", "26_29", "30_plus"]
    assert [b.target for b in step.next] == ["commune"]


def test_minimal_flow_directory_is_valid(tmp_path: Path) -> None:
    _write(tmp_path, "menu.yaml", MENU)
    flows = _validated(tmp_path)
    assert flows.resolve("other", "menu") == ("menu", "other")
    assert flows.resolve("menu", "menu") == ("menu", "main")


def test_unknown_target_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "menu.yaml", MENU.replace("next: main", "next: nowhere"))
    with pytest.raises(FlowError, match="unknown target 'nowhere'"):
        _validated(tmp_path)


def test_unknown_target_in_another_flow_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "menu.yaml", MENU.replace("next: other}", "next: ghost.start}"))
    with pytest.raises(FlowError, match=r"unknown target 'ghost\.start'"):
        _validated(tmp_path)


def test_duplicate_step_id_is_refused(tmp_path: Path) -> None:
    duplicated = MENU + '      main:\n        text: "Again"\n        next: other\n'
    _write(tmp_path, "menu.yaml", duplicated)
    with pytest.raises(FlowError, match="duplicate id 'main'"):
        load_flows(tmp_path)


def test_duplicate_flow_id_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", MENU)
    _write(tmp_path, "b.yaml", MENU)
    with pytest.raises(FlowError, match="duplicate flow id 'menu'"):
        load_flows(tmp_path)


def test_unknown_handler_is_refused(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "menu.yaml",
        MENU + "      magic:\n        handler: teleport\n",
    )
    with pytest.raises(FlowError, match="unknown handler 'teleport'"):
        _validated(tmp_path)


def test_dead_end_step_is_refused(tmp_path: Path) -> None:
    # A choice without `next` on a step without `next`: the conversation would stop.
    _write(
        tmp_path,
        "menu.yaml",
        MENU + '      stuck:\n        text: "?"\n        choices:\n          a: {label: "A"}\n',
    )
    with pytest.raises(FlowError, match=r"menu\.stuck: dead end"):
        _validated(tmp_path)


def test_text_step_without_next_is_a_dead_end(tmp_path: Path) -> None:
    _write(tmp_path, "menu.yaml", MENU + '      mute:\n        text: "Nothing after"\n')
    with pytest.raises(FlowError, match=r"menu\.mute: dead end"):
        _validated(tmp_path)


def test_unknown_advice_and_input_kind_are_refused(tmp_path: Path) -> None:
    extra = (
        "      odd:\n        advice: horoscope\n        input: colour\n"
        "        save: colour\n        next: main\n"
    )
    _write(tmp_path, "menu.yaml", MENU + extra)
    with pytest.raises(FlowError, match="unknown advice 'horoscope'") as error:
        _validated(tmp_path)
    assert "unknown input kind 'colour'" in str(error.value)


def test_unknown_template_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "_templates.yaml", "age_band:\n  text: How old?\n  next: main\n")
    _write(tmp_path, "menu.yaml", MENU + "      age: {use: shoe_size}\n")
    with pytest.raises(FlowError, match="unknown template 'shoe_size'"):
        load_flows(tmp_path)
