"""The journeys of issue 17 (health, feeling better, papers, French classes, minors,
care leavers, childcare, mobility, rights, discrimination) walked to the end in French
and in Arabic (right to left), on both shipped deployments, with the referral each
sends. Texts are compared with their msgid through the catalogs, never with prose."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pytest
import yaml

from conversations.directory import DEFAULT_DIRECTORY, load_directory
from conversations.engine import Engine
from conversations.flows import load_flows
from conversations.i18n import Catalogs
from conversations.model import CreateReferral, Event, EventKind, RecordIntake, State
from conversations.profile import TOPICS
from conversations.signals import SignalDetector
from conversations.understanding import Understanding
from support.engine_chat import PARIS, Chat

CLERMONT, HENIN = "clermont-ferrand", "henin-carvin"
DEPLOYMENTS = (CLERMONT, HENIN)
LANGS = ("fr", "ar")
TOWNS = {CLERMONT: "Clermont-Ferrand", HENIN: "Carvin"}
NEW_JOURNEYS = frozenset(
    {
        "health",
        "mental_health",
        "papers",
        "french",
        "minors",
        "care_leavers",
        "childcare",
        "mobility",
        "rights",
        "discrimination",
    }
)
# Answers to the profile questions, by the fact they save (unless a journey overrides).
ADULT: Mapping[str, str] = MappingProxyType(
    {
        "age_band": "18_25",
        "status": "french",
        "interpreter": "no",
        "work_situation": "job_seeker",
        "ase_history": "none",
        "young_child_alone": "no",
        "justice": "no",
        "followed_by": "none",
        "care_end": "within_6_months",
        "neighbourhood": "not_said",
    }
)


@dataclass(frozen=True)
class Walk:
    """One path through a journey: the taps from the main menu, the answers that
    differ from ADULT, the information steps it must show, and where it routes."""

    name: str
    taps: tuple[str, ...]
    flow: str
    topic: str
    shows: tuple[str, ...]
    rule: Mapping[str, str]
    answers: Mapping[str, str] = field(default_factory=lambda: ADULT)


MORE = "menu.main.more_help"
WALKS = (
    Walk(
        "health_care",
        ("menu.main.health", "health.need.care"),
        "health",
        "health",
        ("care",),
        {CLERMONT: "r-health", HENIN: "hc-default"},
    ),
    Walk(
        "health_cover",
        ("menu.main.health", "health.need.cover"),
        "health",
        "health",
        ("cover",),
        {CLERMONT: "r-health", HENIN: "hc-default"},
    ),
    Walk(
        "feeling_talk",
        ("menu.main.health", "health.need.feeling", "mental_health.feeling.talk"),
        "mental_health",
        "mental_health",
        ("listen",),
        {CLERMONT: "r-mental-health", HENIN: "hc-default"},
    ),
    Walk(
        "feeling_psychologist_exile",
        ("menu.main.health", "health.need.feeling", "mental_health.feeling.psychologist"),
        "mental_health",
        "mental_health",
        ("psychologist", "listen"),
        {CLERMONT: "r-mental-health-exile", HENIN: "hc-default"},
        {**ADULT, "status": "asylum_seeker", "age_band": "26_29"},
    ),
    Walk(
        "papers_first_steps",
        ("menu.main.papers", "papers.need.first_steps"),
        "papers",
        "refugees_bpi",
        ("first_steps",),
        {CLERMONT: "r-bpi", HENIN: "hc-default"},
        {**ADULT, "status": "bpi"},
    ),
    Walk(
        "papers_prefecture",
        ("menu.main.papers", "papers.need.prefecture"),
        "papers",
        "refugees_bpi",
        ("prefecture",),
        {CLERMONT: "r-foreign-youth", HENIN: "hc-default"},
        {**ADULT, "status": "asylum_seeker"},
    ),
    Walk(
        "french_classes",
        ("menu.main.papers", "papers.need.french"),
        "french",
        "language_fle",
        ("about",),
        {CLERMONT: "r-language", HENIN: "hc-default"},
        {**ADULT, "status": "not_said"},
    ),
    Walk(
        "minors",
        (MORE, "more_help.main.minors"),
        "minors",
        "training",
        ("obligation", "consent_rules"),
        {CLERMONT: "r-minor-neet", HENIN: "hc-employment"},
        {**ADULT, "age_band": "16_17", "work_situation": "neet"},
    ),
    Walk(
        "care_leavers_before_18",
        (MORE, "more_help.main.care_leavers"),
        "care_leavers",
        "housing",
        ("about", "cjm", "checklist"),
        {CLERMONT: "r-care-housing", HENIN: "hc-ase-or-family-breakdown"},
        {**ADULT, "age_band": "16_17", "ase_history": "in_care"},
    ),
    Walk(
        "care_leavers_after_18",
        (MORE, "more_help.main.care_leavers"),
        "care_leavers",
        "housing",
        ("about", "cjm", "checklist"),
        {CLERMONT: "r-housing", HENIN: "hc-care-leaver-18-25"},
        {**ADULT, "ase_history": "left_care"},
    ),
    Walk(
        "childcare",
        (MORE, "more_help.main.childcare"),
        "childcare",
        "childcare",
        ("about",),
        {CLERMONT: "r-childcare", HENIN: "hc-default"},
        {**ADULT, "young_child_alone": "yes"},
    ),
    Walk(
        "mobility_bus",
        (MORE, "more_help.main.mobility", "mobility.need.bus"),
        "mobility",
        "mobility",
        ("bus",),
        {CLERMONT: "r-mobility", HENIN: "hc-default"},
    ),
    Walk(
        "mobility_licence",
        (MORE, "more_help.main.mobility", "mobility.need.licence"),
        "mobility",
        "mobility",
        ("licence",),
        {CLERMONT: "r-mobility", HENIN: "hc-default"},
    ),
    Walk(
        "rights_legal",
        (MORE, "more_help.main.rights", "rights.need.legal"),
        "rights",
        "legal_rights",
        ("legal",),
        {CLERMONT: "r-rights", HENIN: "hc-default"},
    ),
    Walk(
        "rights_justice",
        (MORE, "more_help.main.rights", "rights.need.justice"),
        "rights",
        "legal_rights",
        ("justice_info",),
        {CLERMONT: "r-justice-pjj", HENIN: "hc-default"},
        {**ADULT, "justice": "pjj"},
    ),
    Walk(
        "discrimination",
        (MORE, "more_help.main.rights", "rights.need.discrimination"),
        "discrimination",
        "discrimination",
        ("about",),
        {CLERMONT: "r-discrimination", HENIN: "hc-default"},
    ),
)


@pytest.fixture(scope="module")
def engines() -> dict[str, Engine]:
    flows, catalogs, signals = load_flows(), Catalogs(), SignalDetector()
    return {
        deployment: Engine(
            flows, catalogs, load_directory(deployment_id=deployment), signals, PARIS
        )
        for deployment in DEPLOYMENTS
    }


def _person(engine: Engine, lang: str, **fields: Any) -> Chat:
    state = State(**{"lang": lang, "consent": True, "flow": "menu", "step": "main", **fields})
    return Chat(engine, state)


def _texts(person: Chat) -> list[str]:
    return [reply.text for turn in person.turns for reply in turn.replies]


def _translated(engine: Engine, lang: str, flow: str, step: str) -> str:
    msgid = engine.flows.step(flow, step).text
    assert msgid, f"{flow}.{step} has no text"
    return engine.catalogs.gettext(lang, msgid)


def _answer_until_summary(person: Chat, answers: Mapping[str, str], town: str) -> list[str]:
    """Answer every question from `answers` (or tap on) until the journey's summary;
    the ids of the steps asked, in order."""
    asked: list[str] = []
    for _ in range(20):
        flow, step_id = person.where
        if step_id == "summary":
            return asked
        asked.append(step_id)
        step = person.engine.flows.step(flow, step_id)
        if step.input == "commune":
            person.say(town)
            continue
        offered = [p for p in person.last_payloads() if not p.startswith("nav.")]
        wanted = answers.get(step.save or "")
        matching = [p for p in offered if wanted and p.endswith("." + wanted)]
        if not matching:  # a step whose answer routes nothing: its first calm choice
            calm = [c for c in step.choices if c.signal is None]
            matching = [f"{flow}.{step_id}.{calm[0].id}"] if calm else offered[:1]
        assert matching, f"nothing to answer at {flow}.{step_id}: {offered}"
        person.press(matching[0])
    raise AssertionError(f"no summary after 20 steps: {asked}")


# --- every journey, both deployments, French and Arabic ---------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("deployment", DEPLOYMENTS)
@pytest.mark.parametrize("walk", WALKS, ids=[w.name for w in WALKS])
def test_journey_walks_to_a_routed_referral(
    engines: dict[str, Engine], walk: Walk, deployment: str, lang: str
) -> None:
    engine = engines[deployment]
    person = _person(engine, lang)
    for payload in walk.taps:
        person.press(payload)
    assert person.state.flow == walk.flow
    asked = _answer_until_summary(person, walk.answers, TOWNS[deployment])
    assert person.where == (walk.flow, "summary")
    assert "age" in asked and "commune" in asked

    texts = _texts(person)
    for step in walk.shows:
        assert _translated(engine, lang, walk.flow, step) in texts, step
    assert all(reply.lang == lang for turn in person.turns for reply in turn.replies)
    assert person.last_payloads()[:2] == [
        f"{walk.flow}.summary.contact",
        f"{walk.flow}.summary.no_thanks",
    ]
    (intake,) = person.effects_of(RecordIntake)
    assert intake.theme == walk.topic

    person.press(f"{walk.flow}.summary.contact")
    (referral,) = person.effects_of(CreateReferral)
    assert (referral.theme, referral.reason) == (walk.topic, "journey")
    assert referral.rule_id == walk.rule[deployment]
    assert referral.summary["facts"]["topic"] == walk.topic
    assert "commune" not in referral.summary["facts"]
    assert person.where == ("menu", "main")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_the_summary_shows_only_the_deployments_own_services(
    engines: dict[str, Engine], deployment: str, lang: str
) -> None:
    engine = engines[deployment]
    others = [d for d in DEPLOYMENTS if d != deployment]
    foreign = {
        s.name
        for other in others
        for s in load_directory(deployment_id=other).services.values()
        if s.name not in {s.name for s in engine.deployment.services.values()}
    }
    for walk in WALKS:
        person = _person(engine, lang)
        for payload in walk.taps:
            person.press(payload)
        _answer_until_summary(person, walk.answers, TOWNS[deployment])
        shown = "\n".join(person.last_texts())
        assert not [name for name in foreign if name in shown], walk.name
        assert "{" not in shown, walk.name


def test_clermont_health_names_the_listening_point_with_its_card(
    engines: dict[str, Engine],
) -> None:
    engine = engines[CLERMONT]
    person = _person(engine, "fr")
    for payload in ("menu.main.health", "health.need.feeling", "mental_health.feeling.talk"):
        person.press(payload)
    _answer_until_summary(person, ADULT, TOWNS[CLERMONT])
    shown = "\n".join(person.last_texts())
    assert engine.deployment.services["paej-clermont"].name in shown


# --- emergencies raised by a choice -------------------------------------------------


@pytest.mark.parametrize(
    ("taps", "signal", "where"),
    [
        (("menu.main.health", "health.need.distress"), "suicidal_distress", "mental_health"),
        (
            ("menu.main.health", "health.need.feeling", "mental_health.feeling.distress"),
            "suicidal_distress",
            "mental_health",
        ),
        (
            (MORE, "more_help.main.rights", "rights.need.violence"),
            "violence_against_women",
            "rights",
        ),
    ],
)
@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_a_distress_choice_raises_its_signal_and_goes_on(
    engines: dict[str, Engine],
    deployment: str,
    taps: tuple[str, ...],
    signal: str,
    where: str,
) -> None:
    person = _person(engines[deployment], "ar")
    for payload in taps:
        person.press(payload)
    assert person.state.signals == [signal]
    assert any(reply.urgent for reply in person.last.replies)
    (referral,) = person.effects_of(CreateReferral)
    assert (referral.reason, referral.urgency) == ("emergency", "urgent")
    assert referral.summary["facts"]["signal"] == [signal]
    assert person.state.flow == where
    assert person.where[1] == "age"  # the journey goes on after the numbers


def test_suicidal_choice_routes_to_the_psychologist_in_clermont(
    engines: dict[str, Engine],
) -> None:
    person = _person(engines[CLERMONT], "fr")
    person.press("menu.main.health")
    person.press("health.need.distress")
    (referral,) = person.effects_of(CreateReferral)
    assert (referral.rule_id, referral.role) == ("r-em-suicide", "ml-cmv-psychologist")
    listen = _translated(engines[CLERMONT], "fr", "mental_health", "listen")
    assert listen in _texts(person)


def test_minor_in_danger_at_home_raises_the_signal(engines: dict[str, Engine]) -> None:
    person = _person(engines[CLERMONT], "fr", profile={"age_band": "16_17"})
    person.press(MORE)
    person.press("more_help.main.minors")
    person.press("minors.work.neet")
    assert person.where == ("minors", "support")
    person.press("minors.support.danger")
    assert person.state.signals == ["minor_in_danger"]
    assert person.where == ("minors", "commune")


def test_care_leaver_with_nowhere_to_go_is_urgent(engines: dict[str, Engine]) -> None:
    person = _person(engines[HENIN], "fr")
    person.press(MORE)
    person.press("more_help.main.care_leavers")
    person.press("care_leavers.ase.left_care")
    person.press("care_leavers.care_end.no_solution")
    (referral,) = person.effects_of(CreateReferral)
    assert referral.summary["facts"]["signal"] == ["leaving_care_no_solution"]
    assert referral.rule_id == "hc-em-leaving-care"


# --- menu, topics, and free text ------------------------------------------------------


def test_main_menu_offers_health_papers_and_more_help(engines: dict[str, Engine]) -> None:
    person = _person(engines[CLERMONT], "fr")
    person.press("nav.menu")
    offered = person.last_payloads()
    for entry in ("health", "papers", "more_help"):
        assert f"menu.main.{entry}" in offered
    person.press("menu.main.more_help")
    assert [p for p in person.last_payloads() if not p.startswith("nav.")] == [
        "more_help.main.minors",
        "more_help.main.care_leavers",
        "more_help.main.childcare",
        "more_help.main.mobility",
        "more_help.main.rights",
    ]


def test_every_new_journey_routes_on_a_topic_of_the_directory() -> None:
    raw = yaml.safe_load(DEFAULT_DIRECTORY.read_text(encoding="utf-8"))
    topics = set(raw["condition_vocabulary"]["topic"])
    flows = load_flows()
    assert NEW_JOURNEYS <= flows.journeys
    for flow_id in NEW_JOURNEYS:
        flow = flows.flows[flow_id]
        assert TOPICS.get(flow.theme, flow.theme) in topics, flow_id
        assert flow.title, flow_id


def test_new_journeys_name_no_local_service() -> None:
    names = {
        service.name
        for deployment in DEPLOYMENTS
        for service in load_directory(deployment_id=deployment).services.values()
    }
    flows = load_flows()
    for msgid, where in flows.messages():
        if where.split(".")[0] in NEW_JOURNEYS | {"more_help"}:
            assert not [n for n in names if n in msgid], where


def _understood(about: str, confidence: float = 0.9) -> Event:
    understood = Understanding(intent="other", language="fr", confidence=confidence, about=about)
    return Event(EventKind.TEXT, text="…", data={"understood": understood})


@pytest.mark.parametrize(("about", "where"), [("health", "health"), ("papers", "papers")])
@pytest.mark.parametrize("confidence", [0.9, 0.3])
def test_free_text_about_health_or_papers_opens_the_journey(
    engines: dict[str, Engine], about: str, where: str, confidence: float
) -> None:
    person = _person(engines[CLERMONT], "fr")
    person.send(_understood(about, confidence))
    engine = engines[CLERMONT]
    assert person.where == (where, engine.flows.flows[where].start)


def test_free_text_other_without_a_topic_is_asked_again(engines: dict[str, Engine]) -> None:
    person = _person(engines[CLERMONT], "fr")
    understood = Understanding(intent="other", language="fr", confidence=0.9)
    person.send(Event(EventKind.TEXT, text="…", data={"understood": understood}))
    assert person.where == ("menu", "main")


def test_free_text_about_health_without_consent_asks_for_it(
    engines: dict[str, Engine],
) -> None:
    person = _person(engines[CLERMONT], "fr", consent=False, flow="info", step="menu")
    person.send(_understood("health"))
    assert person.where == ("entry", "consent")


# --- the CEJ alternatives ------------------------------------------------------------


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_cej_names_the_alternatives_and_refers_to_an_adviser(
    engines: dict[str, Engine], deployment: str
) -> None:
    engine = engines[deployment]
    person = _person(engine, "ar", flow="cej", step="result", profile={"age_band": "18_25"})
    person.press("cej.result.other_programmes")
    assert person.where == ("cej", "alternatives")
    assert _translated(engine, "ar", "cej", "alternatives") in person.last_texts()
    msgid = engine.flows.step("cej", "alternatives").text or ""
    for programme in ("PACEA", "E2C", "EPIDE", "SMV", "Civic service"):
        assert programme in msgid
    assert person.last_payloads()[:2] == ["cej.alternatives.contact", "cej.alternatives.no_thanks"]
    person.press("cej.alternatives.contact")
    (referral,) = person.effects_of(CreateReferral)
    assert (referral.theme, referral.reason) == ("cej", "journey")
