"""The static check of conversations/rule_coverage.py: every routing rule of every
shipped deployment can fire from some path through the flows, and no flow asks a fact
nothing uses. Also proved on a small synthetic directory and flows."""

from __future__ import annotations

from pathlib import Path

from conversations.directory import Deployment, parse_directory
from conversations.flows import Flows, load_flows
from conversations.rule_coverage import check, shipped_deployments

# Rules no path can reach on purpose, with the reason. Keep this list short and honest.
ALLOWED: dict[tuple[str, str], str] = {}


def test_every_rule_of_every_shipped_deployment_can_fire() -> None:
    problems = check(load_flows(), shipped_deployments())
    left = [str(p) for p in problems if (p.deployment, p.subject) not in ALLOWED]
    assert not left, "\n".join(left)


def test_the_allow_list_only_holds_rules_that_cannot_fire() -> None:
    problems = {(p.deployment, p.subject) for p in check(load_flows(), shipped_deployments())}
    assert set(ALLOWED) <= problems


DIRECTORY = """
schema_version: 1
deployments:
  - id: tiny
    name: Tiny
    default_route: desk
    roles:
      - {id: desk, organisation: org}
      - {id: housing-team, organisation: org}
      - {id: health-team, organisation: org}
      - {id: justice-team, organisation: org}
    organisations:
      - {id: org, name: Org}
    services:
      - {id: cej, name: CEJ, template_values: {cej_allowance: "552 €", cej_year: "2024"}}
    routing_rules:
      - {id: t-em-energy, priority: 0, when: {signal: energy_cut_off}, route_to: desk}
      - {id: t-justice, priority: 10, when: {flags: [justice_pjj]}, route_to: justice-team}
      - {id: t-housing, priority: 20, when: {topic: housing}, route_to: housing-team}
      - {id: t-housing-young, priority: 21, when: {topic: housing, age_max: 25}, route_to: desk}
      - {id: t-health, priority: 30, when: {topic: health}, route_to: health-team}
      - {id: t-default, priority: 99, when: {}, route_to: desk}
"""

HOUSING = """
id: housing
theme: housing
journey: true
start: age
steps:
  age:
    text: "How old are you?"
    save: age_band
    choices:
      "18_25": {label: "18 to 25"}
    next: colour
  colour:
    text: "Your favourite colour?"
    save: favourite_colour
    choices:
      blue: {label: "Blue"}
    next: justice
  justice: {use: justice, next: age}
"""

HEALTH = """
id: health
theme: health
journey: true
start: ask
steps:
  ask:
    text: "Is it about your health?"
    choices:
      "yes": {label: "Yes", signal: energy_cut_off, next: ask}
"""


def _tiny() -> Deployment:
    return parse_directory(DIRECTORY)


def _flows(tmp_path: Path, *flows: str) -> Flows:
    templates = Path(__file__).resolve().parents[2] / "conversations" / "flows" / "_templates.yaml"
    (tmp_path / "_templates.yaml").write_text(templates.read_text(encoding="utf-8"), "utf-8")
    for number, text in enumerate(flows):
        (tmp_path / f"flow{number}.yaml").write_text(text, encoding="utf-8")
    return load_flows(tmp_path)


def test_a_topic_no_flow_has_and_a_shadowed_rule_are_reported(tmp_path: Path) -> None:
    problems = {p.subject: p.detail for p in check(_flows(tmp_path, HOUSING), [_tiny()])}
    assert problems["t-health"] == "no flow can give topic=health"
    # Every housing request matches t-housing first: t-housing-young can never win.
    assert "higher priority" in problems["t-housing-young"]
    assert "t-em-energy" in problems  # energy_cut_off: no flow and no message raises it
    assert {"t-housing", "t-justice", "t-default"}.isdisjoint(problems)


def test_a_flow_with_the_topic_and_the_signal_makes_them_reachable(tmp_path: Path) -> None:
    subjects = {p.subject for p in check(_flows(tmp_path, HOUSING, HEALTH), [_tiny()])}
    assert "t-health" not in subjects
    assert "t-em-energy" not in subjects


def test_a_question_nothing_uses_is_reported(tmp_path: Path) -> None:
    problems = [p for p in check(_flows(tmp_path, HOUSING), [_tiny()]) if "asks" in p.detail]
    assert [(p.subject, p.detail) for p in problems] == [
        ("housing.colour", "asks 'favourite_colour', which no rule, card or adviser uses")
    ]


def test_a_flag_rule_needs_the_question_that_raises_the_flag(tmp_path: Path) -> None:
    without_question = HOUSING.replace("next: justice", "next: age").replace(
        "  justice: {use: justice, next: age}\n", ""
    )
    subjects = {p.subject for p in check(_flows(tmp_path, without_question), [_tiny()])}
    assert "t-justice" in subjects
