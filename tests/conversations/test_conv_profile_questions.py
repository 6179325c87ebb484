"""The short profile (issue 17) and the yearly report's questions (issue 18): each asked
only when a routing rule that could still fire needs it, always with "I'd rather not
say", its answers in the directory's vocabulary and in the routing facts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from conversations.directory import DEFAULT_DIRECTORY, Deployment, load_directory, parse_directory
from conversations.engine import Engine
from conversations.flows import FLOWS_DIR, load_flows
from conversations.i18n import Catalogs
from conversations.model import CreateReferral, RecordIntake, State
from conversations.profile import FLAG_ANSWERS, flags_of
from conversations.rule_needs import rules_need
from conversations.signals import SignalDetector
from support.engine_chat import PARIS, Chat

TEMPLATES = yaml.safe_load((FLOWS_DIR / "_templates.yaml").read_text(encoding="utf-8"))
VOCABULARY = yaml.safe_load(Path(DEFAULT_DIRECTORY).read_text(encoding="utf-8"))[
    "condition_vocabulary"
]
PROFILE_QUESTIONS = (
    "ase_history",
    "young_child_alone",
    "justice",
    "followed_by",
    "interpreter",
    "gender",
    "known_to_ml",
)
INDICATORS = ("gender", "neighbourhood", "known_to_ml")


@pytest.fixture(scope="module")
def engines() -> dict[str, Engine]:
    flows, catalogs, signals = load_flows(), Catalogs(), SignalDetector()
    return {
        name: Engine(flows, catalogs, load_directory(deployment_id=name), signals, PARIS)
        for name in ("clermont-ferrand", "henin-carvin")
    }


def _person(engine: Engine) -> Chat:
    return Chat(engine, State(lang="en", consent=True, flow="menu", step="main"))


def _housing_until_profile(person: Chat, town: str, where: str = "hosted_unstable") -> None:
    person.press("menu.main.housing")
    person.press(f"housing.where_sleep.{where}")
    person.press("housing.age.18_25")
    person.say(town)
    person.press("housing.resources.low")
    person.press("housing.work.job_seeker")


def _answer_until(person: Chat, stop: str, answers: dict[str, str]) -> list[str]:
    """Answer each question (`not_said` unless told) until step `stop`; the steps asked."""
    asked = []
    while person.where[1] != stop:
        flow, step = person.where
        asked.append(step)
        person.press(f"{flow}.{step}.{answers.get(step, 'not_said')}")
        assert len(asked) < 20, asked
    return asked


def _referral(person: Chat) -> CreateReferral:
    referrals = person.effects_of(CreateReferral)
    assert len(referrals) == 1
    return referrals[0]


# --- the questions themselves ------------------------------------------------------


@pytest.mark.parametrize("name", PROFILE_QUESTIONS)
def test_every_profile_question_can_be_skipped(name: str) -> None:
    template = TEMPLATES[name]
    assert template["profile"] is True
    assert template["choices"]["not_said"]["label"] == "I'd rather not say"


def test_ase_history_answers_are_the_directory_vocabulary() -> None:
    assert list(TEMPLATES["ase_history"]["choices"]) == VOCABULARY["ase_history"]


def test_every_flag_an_answer_raises_is_in_the_directory_vocabulary() -> None:
    raised = {flag for flags in FLAG_ANSWERS.values() for flag in flags} | {"qpv_resident"}
    assert raised <= set(VOCABULARY["flags"])


def test_flags_come_from_the_answers() -> None:
    facts = {"young_child_alone": "yes", "justice": "spip", "neighbourhood": "Les Vergnes"}
    assert flags_of(facts) == ["lone_parent", "child_under_3", "justice_spip", "qpv_resident"]
    assert flags_of({"justice": "not_said", "neighbourhood": "not_said"}) == []


# --- asked only when a rule that could still fire needs it --------------------------


def test_a_justice_follow_up_in_clermont_is_asked_and_routes(engines: dict[str, Engine]) -> None:
    person = _person(engines["clermont-ferrand"])
    _housing_until_profile(person, "Clermont-Ferrand")
    asked = _answer_until(person, "summary", {"ase": "none", "justice": "pjj"})
    assert "justice" in asked
    person.press("housing.summary.contact")
    referral = _referral(person)
    assert "justice_pjj" in referral.summary["facts"]["flags"]
    assert referral.rule_id == "r-justice-pjj"


def test_henin_carvin_has_no_justice_rule_so_never_asks_it(engines: dict[str, Engine]) -> None:
    person = _person(engines["henin-carvin"])
    _housing_until_profile(person, "Carvin")
    asked = _answer_until(person, "summary", {})
    assert "justice" not in asked
    assert "ase" in asked  # Hénin-Carvin routes care leavers to its own adviser


def test_a_lone_parent_with_a_young_child_goes_to_the_family_housing_service(
    engines: dict[str, Engine],
) -> None:
    person = _person(engines["henin-carvin"])
    _housing_until_profile(person, "Carvin")
    _answer_until(person, "summary", {"ase": "none", "young_child": "yes"})
    person.press("housing.summary.contact")
    referral = _referral(person)
    assert {"lone_parent", "child_under_3"} <= set(referral.summary["facts"]["flags"])
    assert referral.rule_id == "hc-young-family"


def test_a_question_no_remaining_rule_needs_is_skipped(engines: dict[str, Engine]) -> None:
    # A care leaver of 18-25 already matches the care-leaver rule: whether they raise a
    # young child alone can no longer change the route, so it is not asked.
    person = _person(engines["henin-carvin"])
    _housing_until_profile(person, "Carvin")
    asked = _answer_until(person, "summary", {"ase": "left_care"})
    assert "young_child" not in asked
    person.press("housing.summary.contact")
    assert _referral(person).rule_id == "hc-care-leaver-18-25"


def test_an_interpreter_is_offered_to_newcomers_only(engines: dict[str, Engine]) -> None:
    asked = {}
    for status in ("french", "asylum_seeker"):
        person = _person(engines["clermont-ferrand"])
        person.press("menu.main.cej")
        person.press("cej.about.check")
        person.press("cej.age.18_25")
        person.press("cej.work.neet")
        person.press("cej.rqth.no_rqth")
        person.press(f"cej.status.{status}")
        asked[status] = person.where
    assert asked == {"french": ("cej", "commune"), "asylum_seeker": ("cej", "interpreter")}


# --- the yearly report's questions -----------------------------------------------------


def test_indicators_are_asked_once_and_kept_in_the_intake(engines: dict[str, Engine]) -> None:
    person = _person(engines["clermont-ferrand"])
    _housing_until_profile(person, "Clermont-Ferrand")
    asked = _answer_until(
        person,
        "summary",
        {"gender": "woman", "neighbourhood": "les-vergnes", "known_to_ml": "no"},
    )
    assert {"gender", "neighbourhood", "known_to_ml"} <= set(asked)
    intake = person.effects_of(RecordIntake)[-1]
    assert {k: intake.profile[k] for k in INDICATORS} == {
        "gender": "woman",
        "neighbourhood": "Les Vergnes",
        "known_to_ml": "no",
    }
    assert "qpv_resident" in intake.profile["flags"].split(",")
    person.press("housing.summary.no_thanks")
    person.press("menu.main.aid")
    person.press("aid.need.transport")
    person.press("aid.status.french")
    assert set(_answer_until(person, "result", {})).isdisjoint(INDICATORS)


def test_the_neighbourhood_buttons_are_the_deployment_s_qpv(engines: dict[str, Engine]) -> None:
    person = _person(engines["henin-carvin"])
    _housing_until_profile(person, "Carvin")
    _answer_until(person, "neighbourhood", {})
    labels = [b.label for b in person.last.replies[-1].buttons]
    assert labels[:2] == list(engines["henin-carvin"].deployment.qpv_neighbourhoods)
    assert "housing.neighbourhood.not_said" in person.last_payloads()
    person.press("housing.neighbourhood.other")
    assert person.state.profile["neighbourhood"] == "other"
    assert "qpv_resident" not in flags_of(person.state.profile)


def test_no_qpv_list_no_neighbourhood_question(engines: dict[str, Engine]) -> None:
    base = engines["clermont-ferrand"]
    deployment = replace(base.deployment, qpv_neighbourhoods=())
    engine = Engine(base.flows, base.catalogs, deployment, base.detector, PARIS)
    person = _person(engine)
    _housing_until_profile(person, "Clermont-Ferrand")
    assert "neighbourhood" not in _answer_until(person, "summary", {})


# --- the rule needs, on a small directory ----------------------------------------------

DIRECTORY = """
schema_version: 1
deployments:
  - id: tiny
    name: Tiny
    default_route: desk
    roles:
      - {id: desk, organisation: org}
      - {id: care, organisation: org}
      - {id: second, organisation: org}
    organisations:
      - {id: org, name: Org}
    services:
      - {id: cej, name: CEJ, template_values: {cej_allowance: "552 €", cej_year: "2024"}}
    routing_rules:
      - {id: t-care, priority: 10, when: {topic: housing, age_min: 16, any: [{ase_history: [left_care]}, {housing_problem: family_conflict}]}, route_to: care}
      - {id: t-bpi, priority: 20, when: {status: bpi}, route_to: desk, also_route_to_if: {flags: [justice_spip], role: second}}
      - {id: t-default, priority: 99, when: {}, route_to: desk}
"""  # noqa: E501


@pytest.fixture(scope="module")
def tiny() -> Deployment:
    return parse_directory(DIRECTORY)


def test_a_fact_is_needed_while_a_rule_testing_it_is_undecided(tiny: Deployment) -> None:
    assert rules_need(tiny, {"topic": "housing", "age_band": "18_25"}, "ase_history")


def test_a_fact_is_not_needed_once_the_alternative_already_holds(tiny: Deployment) -> None:
    facts = {"topic": "housing", "age_band": "18_25", "housing_problem": "family_conflict"}
    assert not rules_need(tiny, facts, "ase_history")


def test_a_fact_is_not_needed_when_its_rule_cannot_fire(tiny: Deployment) -> None:
    assert not rules_need(tiny, {"topic": "cej", "age_band": "18_25"}, "ase_history")
    assert not rules_need(tiny, {"topic": "housing", "age_band": "u16"}, "ase_history")


def test_a_known_fact_is_not_asked_again(tiny: Deployment) -> None:
    assert not rules_need(tiny, {"topic": "housing", "ase_history": "not_said"}, "ase_history")


def test_a_second_queue_condition_makes_its_question_needed(tiny: Deployment) -> None:
    facts = {"topic": "cej", "status": "bpi", "flags": []}
    assert rules_need(tiny, facts, "justice")
    assert not rules_need(tiny, {**facts, "status": "french"}, "justice")
