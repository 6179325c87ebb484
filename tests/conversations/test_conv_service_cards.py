"""Service cards drawn from the deployment's directory, and the `suggested_services` advice."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.advice import ADVICE
from conversations.babel_extract import extract_directory
from conversations.calendar import Calendar
from conversations.directory import DEFAULT_DIRECTORY, load_directory
from conversations.engine import Engine
from conversations.flows import load_flows
from conversations.i18n import Catalogs
from conversations.model import State
from conversations.service_cards import ACCESS, INTERPRETER, service_card, service_cards
from conversations.signals import SignalDetector
from conversations.turn import TurnBuilder
from support.engine_chat import NOW, PARIS

DEPLOYMENTS = ("clermont-ferrand", "henin-carvin")


@pytest.fixture(scope="module")
def henin_engine() -> Engine:
    directory = load_directory(deployment_id="henin-carvin")
    return Engine(load_flows(), Catalogs(), directory, SignalDetector(), PARIS)


def _turn(engine: Engine, **fields: object) -> TurnBuilder:
    state = State(**{"lang": "en", "consent": True, "flow": "menu", "step": "main", **fields})
    return TurnBuilder(engine, state, NOW, Calendar())


def test_card_shows_name_summary_address_phone_and_how_to_go(engine: Engine) -> None:
    card = service_card(_turn(engine), "ccas-clermont")
    assert card is not None
    service = engine.deployment.services["ccas-clermont"]
    lines = card.split("\n")
    assert lines[0] == f"🏢 {service.name}"
    assert service.raw["summary"] in lines
    address = "\u206822 rue Georges-Clemenceau, Clermont-Ferrand\u2069"
    assert f"📍 Lieu Information Senior (CCAS): {address}" in lines
    assert "📞 \u206804 73 98 07 81\u2069" in lines
    assert ACCESS["direct"] in lines


def test_card_hours_use_the_person_s_language(engine: Engine) -> None:
    card = service_card(_turn(engine, lang="fr"), "ml-cmv-welcome")
    assert card is not None
    office = engine.catalogs.gettext("fr", engine.deployment.places["ml-hq"].name)
    assert f"🕒 {office}: lundi, mardi, mercredi, jeudi, vendredi" in card
    assert "\u206809:00–12:00\u2069" in card


def test_card_leaves_out_lines_without_data(engine: Engine) -> None:
    # The PAEJ's address, hours and phone are not in the seeds: no line, no placeholder.
    card = service_card(_turn(engine), "paej-clermont")
    assert card is not None
    assert "📍" not in card and "🕒" not in card and "📞" not in card
    assert "{" not in card and "None" not in card
    assert all(line.strip() for line in card.split("\n"))


def test_interpreter_only_where_the_directory_says_so(engine: Engine) -> None:
    turn = _turn(engine)
    assert INTERPRETER in (service_card(turn, "essor-63") or "")
    assert INTERPRETER not in (service_card(turn, "paej-clermont") or "")


def test_a_service_the_deployment_lacks_has_no_card(henin_engine: Engine) -> None:
    turn = _turn(henin_engine)
    assert service_card(turn, "fmaj") is None
    cards = service_cards(turn, ["fmaj", "cllaj-henin-carvin", "fdaj-63"])
    assert len(cards) == 1
    assert "Carvin" in cards[0] and "Clermont" not in cards[0]


@pytest.mark.parametrize("deployment_id", DEPLOYMENTS)
def test_every_suggested_service_has_a_card_with_a_summary(deployment_id: str) -> None:
    deployment = load_directory(deployment_id=deployment_id)
    suggested = {s for rule in deployment.rules for s in rule.suggest}
    missing = sorted(s for s in suggested if not deployment.services.get(s))
    no_summary = sorted(
        s for s in suggested - set(missing) if not deployment.services[s].raw.get("summary")
    )
    assert (missing, no_summary) == ([], [])


def test_summaries_are_extracted_for_the_catalogs() -> None:
    with Path(DEFAULT_DIRECTORY).open("rb") as file:
        messages = {m for _, _, m, _ in extract_directory(file, None, None, {})}
    paej = load_directory().services["paej-clermont"].raw["summary"]
    assert paej in messages
    assert "Emergency shelter (SIAO / Samu social)" in messages  # labels are still extracted


def test_suggested_services_routes_the_conversation_facts(engine: Engine) -> None:
    turn = _turn(engine, flow="housing", step="summary", profile={"age_band": "18_25"})
    texts = ADVICE["suggested_services"](turn)
    names = [engine.deployment.services[s].name for s in ("ml-housing", "adil-63")]
    assert all(any(name in text for text in texts) for name in names)


def test_suggested_services_shows_emergency_numbers_when_a_signal_fired(engine: Engine) -> None:
    turn = _turn(engine, flow="housing", step="summary", signals=["homeless_tonight"])
    texts = ADVICE["suggested_services"](turn)
    assert texts[0].startswith("📞 \u2068115\u2069")
    assert any(engine.deployment.services["siao-63-115"].name in text for text in texts)


def test_suggested_services_in_henin_carvin_names_no_clermont_service(
    henin_engine: Engine,
) -> None:
    turn = _turn(henin_engine, flow="housing", step="summary", profile={"age_band": "18_25"})
    text = "\n".join(ADVICE["suggested_services"](turn))
    assert "CLLAJ Hénin-Carvin" in text
    assert "Clermont" not in text and "Puy-de-Dôme" not in text


def test_a_young_person_asking_for_a_psychologist_gets_named_services_with_phone_and_hours(
    engine: Engine,
) -> None:
    """Issue 17: "je cherche un psychologue gratuit…" ends on the mental-health route,
    whose cards name the PAEJ and a service with its phone and opening hours."""
    turn = _turn(
        engine, lang="fr", flow="mental_health", step="summary", profile={"age_band": "18_25"}
    )
    turn.state.answers["topic"] = "mental_health"
    text = "\n".join(ADVICE["suggested_services"](turn))
    place = engine.deployment.places["ml-hq"]
    for service in ("paej-clermont", "ml-psychologist"):
        assert engine.catalogs.gettext("fr", engine.deployment.services[service].name) in text
    assert place.phone and place.phone in text
    assert "09:00" in text and "17:00" in text


@pytest.mark.parametrize("lang", ["fr", "fa_AF", "ti"])
def test_service_and_place_names_are_shown_in_the_person_s_language(
    engine: Engine, lang: str
) -> None:
    # Names are English with French proper nouns inside ("Housing information and support
    # for ML youths", "Mission Locale — head office"): they go through the catalogs too.
    service = engine.deployment.services["ml-housing"]
    place = engine.deployment.places["ml-hq"]
    translated = engine.catalogs.gettext(lang, service.name)
    assert translated != service.name
    card = service_card(_turn(engine, lang=lang), "ml-housing")
    assert card is not None and card.split("\n")[0] == f"🏢 {translated}"
    assert engine.catalogs.gettext(lang, place.name) != place.name
    with DEFAULT_DIRECTORY.open("rb") as file:
        messages = {m for _, _, m, _ in extract_directory(file, None, None, {})}
    assert {service.name, place.name} <= messages
