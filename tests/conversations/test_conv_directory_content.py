"""The directory is the content: fund cards, template values and their checks, per
deployment, with nothing of one deployment shown in another."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conversations import advice
from conversations.advice import ADVICE
from conversations.calendar import Calendar
from conversations.directory import DEFAULT_DIRECTORY, DirectoryError, load_directory
from conversations.engine import Engine
from conversations.flows import load_flows
from conversations.i18n import Catalogs
from conversations.model import State
from conversations.signals import SignalDetector
from conversations.turn import TurnBuilder
from support.engine_chat import NOW, PARIS, Chat

DEPLOYMENTS = ("clermont-ferrand", "henin-carvin")
# Names of Clermont's structures and territory that must never reach a person in Carvin.
CLERMONT_WORDS = ("Clermont", "Puy-de-Dôme", "Métropole", "FMAJ", "FDAJ", "FLU", "ADIL")


@pytest.fixture(scope="module")
def henin_engine() -> Engine:
    directory = load_directory(deployment_id="henin-carvin")
    return Engine(load_flows(), Catalogs(), directory, SignalDetector(), PARIS)


def _advice(engine: Engine, name: str, flow: str, **fields: object) -> str:
    state = State(**{"lang": "en", "consent": True, "flow": flow, "step": "result", **fields})
    return "\n".join(ADVICE[name](TurnBuilder(engine, state, NOW, Calendar())))


@pytest.mark.parametrize("deployment_id", DEPLOYMENTS)
def test_each_deployment_loads_with_every_flow_placeholder_valued(deployment_id: str) -> None:
    deployment = load_directory(deployment_id=deployment_id)
    assert {"cej_allowance", "cej_year"} <= set(deployment.template_values)


def test_a_missing_template_value_names_the_file_the_key_and_the_service(
    tmp_path: Path,
) -> None:
    text = DEFAULT_DIRECTORY.read_text(encoding="utf-8")
    broken = re.sub(
        r"\n\s+template_values: \{cej_allowance: \{money: 552.29\}, ",
        "\n        template_values: {",
        text,
        count=1,
    )
    assert broken != text
    path = tmp_path / "carvin-services.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(DirectoryError) as raised:
        load_directory(path, "clermont-ferrand")
    message = str(raised.value)
    assert message.startswith("carvin-services.yaml: clermont-ferrand:")
    assert "{cej_allowance} of flow cej.about" in message
    assert "service ml-cej" in message
    assert "cej_year" not in message  # only what is missing


def test_a_template_value_of_the_wrong_shape_is_refused(tmp_path: Path) -> None:
    text = DEFAULT_DIRECTORY.read_text(encoding="utf-8")
    broken = text.replace("{cej_allowance: {money: 552.29}", "{cej_allowance: {money: lots}", 1)
    path = tmp_path / "services.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(
        DirectoryError, match=re.escape("service ml-cej: template_values.cej_allowance")
    ):
        load_directory(path, "clermont-ferrand")


def test_an_advice_card_naming_an_unknown_service_is_refused(tmp_path: Path) -> None:
    text = DEFAULT_DIRECTORY.read_text(encoding="utf-8")
    broken = text.replace("show: [ml-mobility]}", "show: [no-such-service]}", 1)
    path = tmp_path / "services.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(DirectoryError, match="advice_cards: unknown service no-such-service"):
        load_directory(path, "clermont-ferrand")


def test_cej_text_in_henin_carvin_shows_the_amount_not_a_placeholder(
    henin_engine: Engine,
) -> None:
    person = Chat(henin_engine, State(lang="fr", consent=True, flow="menu", step="main"))
    text = person.press("menu.main.cej").replies[-1].text
    assert "{" not in text
    assert "552,29\u00a0€" in text


def test_advice_names_no_local_structure_in_python() -> None:
    source = Path(advice.__file__).read_text(encoding="utf-8")
    assert not [word for word in (*CLERMONT_WORDS, "CLLAJ", "FSL", "METROPOLE") if word in source]


@pytest.mark.parametrize(
    ("need", "commune_territory"),
    [("general_support", "cahc"), ("energy_water_bill", "cahc"), ("transport", None)],
)
def test_aid_in_henin_carvin_shows_only_pas_de_calais_services(
    henin_engine: Engine, need: str, commune_territory: str | None
) -> None:
    profile = {"age_band": "18_25", "status": "french"}
    if commune_territory:
        profile["territory"] = commune_territory
    text = _advice(henin_engine, "aid_funds", "aid", answers={"aid_need": need}, profile=profile)
    assert not [word for word in CLERMONT_WORDS if word in text]
    assert "🏢" in text  # a Pas-de-Calais service card, not only sentences


def test_aid_in_henin_carvin_names_the_pas_de_calais_youth_fund(henin_engine: Engine) -> None:
    profile = {"age_band": "18_25", "status": "french", "territory": "cahc"}
    answers = {"aid_need": "general_support"}
    text = _advice(henin_engine, "aid_funds", "aid", answers=answers, profile=profile)
    assert henin_engine.deployment.services["faj-62"].name in text


def test_energy_bill_in_clermont_shows_the_metropole_energy_fund(engine: Engine) -> None:
    profile = {"age_band": "18_25", "territory": "clermont-auvergne-metropole"}
    answers = {"aid_need": "energy_water_bill"}
    text = _advice(engine, "aid_funds", "aid", answers=answers, profile=profile)
    assert engine.deployment.services["energy-fund-metropole"].name in text


def test_housing_in_henin_carvin_shows_the_cllaj_and_no_clermont_name(
    henin_engine: Engine,
) -> None:
    answers = {"housing_situation": "own_rental", "housing_problem": "rent_arrears"}
    text = _advice(
        henin_engine, "housing_help", "housing", answers=answers, profile={"age_band": "18_25"}
    )
    assert henin_engine.deployment.services["fsl-asll"].name in text
    assert henin_engine.deployment.services["cllaj-henin-carvin"].name in text
    assert not [word for word in CLERMONT_WORDS if word in text]


def test_cej_in_henin_carvin_points_to_its_missions_locales(henin_engine: Engine) -> None:
    profile = {"age_band": "18_25", "work_situation": "neet", "status": "bpi"}
    text = _advice(henin_engine, "cej_eligibility", "cej", profile=profile)
    assert henin_engine.deployment.services["missions-locales-cahc"].name in text
    assert "refugees" not in text  # the CEJ BPI group is Clermont's, not in this directory
    assert not [word for word in CLERMONT_WORDS if word in text]


def test_cej_for_a_bpi_in_clermont_names_the_refugee_group(engine: Engine) -> None:
    profile = {"age_band": "18_25", "work_situation": "neet", "status": "bpi"}
    text = _advice(engine, "cej_eligibility", "cej", profile=profile)
    assert "There is a CEJ group for refugees" in text
