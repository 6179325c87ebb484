"""Routing rules of the sample directory: facts in, (role, rule, urgency) out."""

from __future__ import annotations

from typing import Any

import pytest

from conversations.directory import (
    DEFAULT_DIRECTORY,
    Deployment,
    DirectoryError,
    load_directory,
    parse_directory,
)
from conversations.model import CreateReferral
from conversations.routing import matches, route


@pytest.fixture(scope="module")
def clermont() -> Deployment:
    return load_directory(deployment_id="clermont-ferrand")


@pytest.fixture(scope="module")
def henin() -> Deployment:
    return load_directory(deployment_id="henin-carvin")


def test_default_deployment_is_clermont() -> None:
    assert load_directory().id == "clermont-ferrand"


AID_18_25_FRENCH = {
    "topic": "aid_funds",
    "aid_need": "general_support",
    "age_band": "18_25",
    "status": "french",
}

CLERMONT_CASES = [
    pytest.param(
        {"signal": ["homeless_tonight"], "topic": "housing"},
        ("ml-cmv-housing-referent", "r-em-homeless", "urgent"),
        id="homeless_tonight",
    ),
    pytest.param(
        {"signal": ["violence_against_women"], "topic": "housing"},
        ("ml-cmv-welcome-desk", "r-em-violence-women", "urgent"),
        id="violence",
    ),
    pytest.param(
        {"signal": ["suicidal_distress"]},
        ("ml-cmv-psychologist", "r-em-suicide", "urgent"),
        id="suicidal_distress",
    ),
    pytest.param(
        {"signal": ["no_food_today"], "topic": "aid_funds"},
        ("ml-cmv-social-aid-officer", "r-em-food", "same_day"),
        id="no_food_today_signal",
    ),
    pytest.param(
        {"topic": "housing", "age_band": "18_25"},
        ("ml-cmv-housing-referent", "r-housing", "normal"),
        id="housing_18_25",
    ),
    pytest.param(
        {"topic": "cej", "age_band": "16_17"},
        ("ml-cmv-cej-sector", "r-cej-minor", "normal"),
        id="cej_16_17",
    ),
    pytest.param(
        {"topic": "cej", "age_band": "16_17", "work_situation": "job_seeker"},
        ("ml-cmv-cej-sector", "r-cej-minor", "normal"),
        id="cej_16_17_job_seeker",
    ),
    pytest.param(
        {"topic": "cej", "age_band": "18_25", "work_situation": "neet"},
        ("ml-cmv-cej-sector", "r-cej", "normal"),
        id="cej_18_25",
    ),
    pytest.param(
        {**AID_18_25_FRENCH, "territory": "clermont-auvergne-metropole"},
        ("ml-cmv-social-aid-officer", "r-aid-faj-metropole", "normal"),
        id="aid_faj_metropole",
    ),
    pytest.param(
        {**AID_18_25_FRENCH, "territory": "puy-de-dome-outside-metropole"},
        ("ml-cmv-social-aid-officer", "r-aid-faj-departement", "normal"),
        id="aid_faj_departement",
    ),
    pytest.param(
        {"topic": "aid_funds", "aid_need": "subsistence_today", "age_band": "18_25"},
        ("ml-cmv-social-aid-officer", "r-aid-urgent", "same_day"),
        id="aid_subsistence_today",
    ),
    pytest.param(
        {"topic": "aid_funds", "aid_need": "general_support", "status": "asylum_seeker"},
        ("ml-cmv-social-worker", "r-aid-foreign", "normal"),
        id="aid_asylum_seeker_26_plus",
    ),
    pytest.param({}, ("ml-cmv-welcome-desk", "r-default", "normal"), id="unknown_everything"),
    pytest.param(
        {"signal": ["medical_emergency"]},
        ("ml-cmv-welcome-desk", "r-default", "urgent"),
        id="medical_emergency_alone",
    ),
]


@pytest.mark.parametrize(("facts", "expected"), CLERMONT_CASES)
def test_clermont_routing(
    clermont: Deployment, facts: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    decision = route(clermont, facts)
    assert (decision.role, decision.rule_id, decision.urgency) == expected
    assert decision.structure == clermont.roles[decision.role]


@pytest.mark.parametrize(
    ("signal", "contacts"),
    [
        ("homeless_tonight", ("n115",)),
        ("violence_against_women", ("n17", "n112", "n3919", "n114")),
        ("suicidal_distress", ("n3114", "n15", "n112")),
        ("medical_emergency", ("n15", "n112")),
        ("minor_in_danger", ("n119", "n112")),
    ],
)
def test_emergency_numbers_shown(
    clermont: Deployment, signal: str, contacts: tuple[str, ...]
) -> None:
    assert route(clermont, {"signal": [signal]}).emergency_contacts == contacts


def test_medical_emergency_falls_back_to_default_route(clermont: Deployment) -> None:
    decision = route(clermont, {"signal": ["medical_emergency"]})
    assert decision.role == clermont.default_route
    assert {"n15", "n112"} <= set(decision.emergency_contacts)


def test_several_signals_fire_every_emergency_rule(clermont: Deployment) -> None:
    decision = route(clermont, {"signal": ["suicidal_distress", "homeless_tonight"]})
    # Rules keep the directory's order: the homeless rule comes first and routes.
    assert decision.rule_id == "r-em-homeless"
    assert decision.urgency == "urgent"
    assert set(decision.emergency_contacts) == {"n115", "n3114", "n15", "n112"}


def test_no_signal_and_no_rule_is_never_a_dead_end(clermont: Deployment) -> None:
    decision = route(clermont, {"topic": "something_new", "age_band": "42"})
    assert decision.role in clermont.roles


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        pytest.param(
            {"topic": "housing", "age_band": "18_25"},
            ("cllaj-adviser", "hc-housing-under-30", "normal"),
            id="housing_18_25",
        ),
        pytest.param(
            {"topic": "housing", "age_band": "30_plus"},
            ("rl-service-habitat", "hc-housing-30-plus", "normal"),
            id="housing_30_plus",
        ),
        pytest.param(
            {"topic": "housing", "age_band": "18_25", "ase_history": "left_care"},
            ("cllaj-ase-adviser", "hc-care-leaver-18-25", "normal"),
            id="care_leaver",
        ),
        pytest.param(
            {"signal": ["homeless_tonight"], "topic": "housing"},
            ("cllaj-adviser", "hc-em-homeless", "urgent"),
            id="homeless_tonight",
        ),
        pytest.param({}, ("cllaj-adviser", "hc-default", "normal"), id="unknown_everything"),
    ],
)
def test_henin_carvin_routing(
    henin: Deployment, facts: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    decision = route(henin, facts)
    assert (decision.role, decision.rule_id, decision.urgency) == expected


# --- condition semantics -----------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "facts", "expected"),
    [
        ({"age_min": 18, "age_max": 25}, {"age_band": "18_25"}, True),
        ({"age_max": 25}, {"age_band": "26_29"}, False),
        ({"age_min": 16, "age_max": 17}, {"age_band": "18_25"}, False),
        ({"age_max": 25}, {}, False),
        ({"age_max": 25}, {"age_band": "not_said"}, False),
        ({"status": ["bpi", "eu"]}, {"status": "eu"}, True),
        ({"status": ["bpi", "eu"]}, {"status": "french"}, False),
        ({"signal": "homeless_tonight"}, {"signal": ["x", "homeless_tonight"]}, True),
        ({"any": [{"status": "bpi"}, {"topic": "cej"}]}, {"topic": "cej"}, True),
        ({"any": [{"status": "bpi"}, {"topic": "cej"}]}, {"topic": "housing"}, False),
        ({"flags_absent": ["in_school"]}, {"flags": []}, True),
        ({"flags_absent": ["in_school"]}, {"flags": ["in_school"]}, False),
        ({"topic": "housing", "age_max": 29}, {"topic": "housing", "age_band": "30_plus"}, False),
        ({}, {}, True),
    ],
)
def test_matches(when: dict[str, Any], facts: dict[str, Any], expected: bool) -> None:
    assert matches(when, facts) is expected


# --- issue 17: wrong routings and second queues ---------------------------------------

IN_CARE_17_HOUSING = {
    "topic": "housing",
    "age_band": "16_17",
    "housing_situation": "care_placement",
    "work_situation": "neet",
}


def test_bpi_asking_for_the_cej_goes_to_the_cej_team_with_cecler_in_copy(
    clermont: Deployment,
) -> None:
    decision = route(clermont, {"topic": "cej", "status": "bpi", "age_band": "18_25"})
    assert (decision.role, decision.rule_id) == ("ml-cmv-cej-sector", "r-cej-bpi")
    assert decision.also_roles == ("cecler-agir63-team",)
    assert decision.also_structures == (clermont.roles["cecler-agir63-team"],)


def test_bpi_rule_copies_the_foreign_youth_referent_only_up_to_25(clermont: Deployment) -> None:
    young = route(clermont, {"topic": "housing", "status": "bpi", "age_band": "18_25"})
    older = route(clermont, {"topic": "housing", "status": "bpi", "age_band": "26_29"})
    assert (young.rule_id, young.role) == ("r-bpi", "cecler-agir63-team")
    assert young.also_roles == ("ml-cmv-foreign-youth-referent",)
    assert (older.rule_id, older.also_roles) == ("r-bpi", ())


def test_a_rule_without_a_second_queue_has_no_copy(clermont: Deployment) -> None:
    decision = route(clermont, {"topic": "housing", "age_band": "18_25"})
    assert (decision.also_roles, decision.also_structures) == ((), ())


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param(IN_CARE_17_HOUSING, id="placed_in_care"),
        pytest.param(
            {
                **IN_CARE_17_HOUSING,
                "housing_situation": "hosted_unstable",
                "ase_history": "in_care",
            },
            id="ase_history_in_care",
        ),
    ],
)
def test_17_year_old_in_care_asking_about_housing_goes_to_housing_in_clermont(
    clermont: Deployment, facts: dict[str, Any]
) -> None:
    decision = route(clermont, facts)
    assert (decision.role, decision.rule_id) == ("ml-cmv-housing-referent", "r-care-housing")
    assert "ml-obligation-formation" not in decision.suggest


def test_17_year_old_in_care_asking_about_housing_goes_to_tremplins_in_henin(
    henin: Deployment,
) -> None:
    decision = route(henin, IN_CARE_17_HOUSING)
    assert (decision.role, decision.rule_id) == (
        "tremplins-duo-team",
        "hc-ase-or-family-breakdown",
    )


def test_a_17_year_old_out_of_school_asking_about_training_still_gets_the_minors_service(
    clermont: Deployment,
) -> None:
    decision = route(clermont, {"topic": "training", "age_band": "16_17", "work_situation": "neet"})
    assert (decision.role, decision.rule_id) == ("ml-cmv-minors-service", "r-minor-neet")


def test_energy_cut_off_signal_routes_urgently_in_both_deployments(
    clermont: Deployment, henin: Deployment
) -> None:
    for deployment in (clermont, henin):
        decision = route(deployment, {"signal": ["energy_cut_off"], "topic": "housing"})
        assert decision.urgency == "urgent"
        assert decision.rule_id is not None and "energy-cut" in decision.rule_id
        assert all(s in deployment.services for s in decision.suggest)


def test_second_queue_naming_an_unknown_role_is_refused() -> None:
    text = DEFAULT_DIRECTORY.read_text(encoding="utf-8").replace(
        "also_route_to_if: {role: cecler-agir63-team}",
        "also_route_to_if: {role: no-such-queue}",
    )
    with pytest.raises(DirectoryError, match="r-cej-bpi: also_route_to_if names unknown role"):
        parse_directory(text, "clermont-ferrand")


def test_the_referral_records_the_copy_queue_in_its_summary(chat: Any) -> None:
    person = chat(flow="cej", step="about", profile={"status": "bpi", "age_band": "18_25"})
    person.press("nav.human")
    (referral,) = person.effects_of(CreateReferral)
    assert (referral.role, referral.rule_id) == ("ml-cmv-cej-sector", "r-cej-bpi")
    assert referral.summary["also_roles"] == ["cecler-agir63-team"]
    assert referral.summary["also_structures"] == ["cecler"]
