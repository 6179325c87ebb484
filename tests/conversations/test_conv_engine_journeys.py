"""Engine transcripts of the housing, CEJ and aid journeys, in English, to the end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conversations.advice import CEJ_ELIGIBLE, CEJ_NOT_NEET, CEJ_TOO_OLD, CEJ_TOO_YOUNG
from conversations.handlers import TOWN_AGAIN
from conversations.model import CreateReferral, RecordIntake

ChatFactory = Callable[..., Any]


def _all_texts(person: Any) -> str:
    return "\n".join(reply.text for turn in person.turns for reply in turn.replies)


# --- housing ---------------------------------------------------------------------


def test_housing_journey_to_the_end(chat: ChatFactory) -> None:
    person = chat()
    person.press("menu.main.housing")
    person.press("housing.where_sleep.hosted_unstable")
    person.press("housing.age.18_25")
    assert person.where == ("housing", "commune")
    person.say("clermont-ferrand")
    assert person.state.profile["territory"] == "clermont-auvergne-metropole"
    person.press("housing.resources.low")
    person.press("housing.work.job_seeker")
    summary = person.skip_profile("summary")
    assert person.where == ("housing", "summary")

    (intake,) = [e for e in summary.effects if isinstance(e, RecordIntake)]
    assert intake.theme == "housing"
    assert intake.answers == {"housing_situation": "hosted_unstable", "resources_band": "low"}
    assert intake.profile["age_band"] == "18_25"
    assert intake.profile["commune"] == "clermont-ferrand"
    assert intake.profile["territory"] == "clermont-auvergne-metropole"
    assert intake.profile["work_situation"] == "job_seeker"
    assert intake.urgency == "normal"
    assert intake.signals == ()
    texts = [reply.text for reply in summary.replies]
    assert texts[0] == "What can help you:"
    assert any(t.startswith("🏢 Housing information and support") for t in texts)  # directory
    assert person.last_payloads()[:2] == ["housing.summary.contact", "housing.summary.no_thanks"]

    done = person.press("housing.summary.contact")
    (referral,) = [e for e in done.effects if isinstance(e, CreateReferral)]
    assert referral.theme == "housing"
    assert referral.reason == "journey"
    assert referral.urgency == "normal"
    assert (referral.role, referral.rule_id) == ("ml-cmv-housing-referent", "r-housing")
    assert referral.structure == "ml-cmv"
    assert referral.summary["facts"]["topic"] == "housing"
    assert "commune" not in referral.summary["facts"]
    assert person.where == ("menu", "main")
    # One intake and one referral for the whole journey.
    assert len(person.effects_of(RecordIntake)) == 1
    assert len(person.effects_of(CreateReferral)) == 1


def test_housing_no_thanks_creates_no_referral(chat: ChatFactory) -> None:
    person = chat(flow="housing", step="summary", answers={"housing_situation": "family_home"})
    person.press("housing.summary.no_thanks")
    assert person.effects_of(CreateReferral) == []
    assert person.where == ("menu", "main")


def test_housing_branches_on_the_situation(chat: ChatFactory) -> None:
    person = chat()
    person.press("menu.main.housing")
    person.press("housing.where_sleep.own_rental")
    assert person.where == ("housing", "own_problem")
    person.press("housing.own_problem.rent_arrears")
    assert person.where == ("housing", "age")
    assert person.state.answers == {
        "housing_situation": "own_rental",
        "housing_problem": "rent_arrears",
    }


def test_starting_a_journey_again_forgets_previous_answers(chat: ChatFactory) -> None:
    person = chat(profile={"age_band": "18_25"})
    person.press("menu.main.housing")
    person.press("housing.where_sleep.own_rental")
    person.press("nav.menu")
    person.press("menu.main.aid")
    assert person.state.answers == {}
    assert person.state.profile == {"age_band": "18_25"}


# --- CEJ -------------------------------------------------------------------------


def _cej(chat: ChatFactory, band: str, work: str, rqth: str = "no_rqth") -> Any:
    person = chat()
    person.press("menu.main.cej")
    person.press("cej.about.check")
    person.press(f"cej.age.{band}")
    person.press(f"cej.work.{work}")
    person.press(f"cej.rqth.{rqth}")
    person.press("cej.status.french")
    person.say("Clermont-Ferrand")
    person.skip_profile("result")
    assert person.where == ("cej", "result")
    return person


def test_cej_about_shows_the_allowance_from_the_directory(chat: ChatFactory) -> None:
    turn = chat().press("menu.main.cej")
    text = turn.replies[-1].text
    assert "{cej_allowance}" not in text
    assert "€" in text


def test_cej_under_16_is_told_at_once_not_asked_four_more_questions(chat: ChatFactory) -> None:
    person = chat()
    person.press("menu.main.cej")
    person.press("cej.about.check")
    person.press("cej.age.u16")
    assert person.where == ("cej", "result")
    assert person.last_texts()[0] == CEJ_TOO_YOUNG


def test_cej_minor_neet_may_be_eligible(chat: ChatFactory) -> None:
    person = _cej(chat, "16_17", "neet")
    texts = person.last_texts()
    assert texts[0] == CEJ_ELIGIBLE
    assert "At 16–17 there is a CEJ group made for minors." in texts  # the directory's variant
    (intake,) = person.effects_of(RecordIntake)
    assert intake.theme == "cej"
    assert intake.profile["statuses"] == "minor"


def test_cej_minor_referral_goes_to_the_cej_sector(chat: ChatFactory) -> None:
    person = _cej(chat, "16_17", "job_seeker")
    assert person.last_texts()[0] == CEJ_ELIGIBLE
    person.press("cej.result.join")
    (referral,) = person.effects_of(CreateReferral)
    assert (referral.theme, referral.reason) == ("cej", "journey")
    assert (referral.role, referral.rule_id) == ("ml-cmv-cej-sector", "r-cej-minor")
    assert person.where == ("menu", "main")


def test_cej_26_29_without_rqth_is_not_eligible(chat: ChatFactory) -> None:
    person = _cej(chat, "26_29", "neet", rqth="no_rqth")
    texts = person.last_texts()
    assert texts[0] == CEJ_TOO_OLD
    assert CEJ_ELIGIBLE not in texts


def test_cej_26_29_with_rqth_may_be_eligible(chat: ChatFactory) -> None:
    person = _cej(chat, "26_29", "neet", rqth="has_rqth")
    assert person.last_texts()[0] == CEJ_ELIGIBLE


@pytest.mark.parametrize("work", ["student", "employed_other"])
def test_cej_student_or_employed_is_pointed_elsewhere(chat: ChatFactory, work: str) -> None:
    # Regression: the work situation is a profile answer, advice read it from answers.
    person = _cej(chat, "18_25", work)
    assert person.last_texts()[0] == CEJ_NOT_NEET


# --- aid ---------------------------------------------------------------------------

# Fund cards are the directory's service cards; the FAJ sentence is national.
FMAJ = "🏢 Fonds Métropolitain d'Aide aux Jeunes (FMAJ)"
FAJ_GENERIC = "• Youth aid fund (FAJ, 18–25)"
FDAJ = "🏢 Fonds Départemental d'Aide aux Jeunes (FDAJ)"


def _aid(chat: ChatFactory, need: str, commune: str) -> Any:
    person = chat()
    person.press("menu.main.aid")
    person.press(f"aid.need.{need}")
    person.press("aid.age.18_25")
    person.press("aid.status.french")
    person.say(commune)
    person.skip_profile("result")
    assert person.where == ("aid", "result")
    return person


def _cards(person: Any) -> list[str]:
    return [t for t in person.last_texts() if t.startswith(("• ", "🏢 "))]


def test_aid_in_the_metropole_shows_the_fmaj(chat: ChatFactory) -> None:
    person = _aid(chat, "general_support", "Clermont-Ferrand")
    cards = _cards(person)
    assert any(card.startswith(FMAJ) for card in cards)
    assert not any(card.startswith((FAJ_GENERIC, FDAJ)) for card in cards)
    person.press("aid.result.contact")
    (referral,) = person.effects_of(CreateReferral)
    assert (referral.role, referral.rule_id) == ("ml-cmv-social-aid-officer", "r-aid-faj-metropole")


def test_aid_with_an_unknown_commune_shows_the_generic_faj(chat: ChatFactory) -> None:
    person = _aid(chat, "general_support", "Springfield")
    assert "territory" not in person.state.profile
    cards = _cards(person)
    assert any(card.startswith(FAJ_GENERIC) for card in cards)
    assert not any(card.startswith((FMAJ, FDAJ)) for card in cards)


def test_aid_in_a_mountain_commune_shows_the_fdaj(chat: ChatFactory) -> None:
    person = _aid(chat, "general_support", "Tauves")
    assert person.state.profile["territory"] == "clermont-montagne"
    assert any(card.startswith(FDAJ) for card in _cards(person))


def test_aid_food_today_is_a_same_day_signal(chat: ChatFactory) -> None:
    person = chat()
    person.press("menu.main.aid")
    turn = person.press("aid.need.subsistence_today")
    (referral,) = [e for e in turn.effects if isinstance(e, CreateReferral)]
    assert (referral.urgency, referral.rule_id) == ("same_day", "r-em-food")
    assert referral.role == "ml-cmv-social-aid-officer"
    assert person.where == ("aid", "age")


def test_aid_invalid_commune_is_reasked(chat: ChatFactory) -> None:
    person = chat()
    person.press("menu.main.aid")
    person.press("aid.need.transport")
    person.press("aid.age.18_25")
    person.press("aid.status.french")
    turn = person.say("!!!")
    assert person.where == ("aid", "commune")
    assert turn.replies[0].text == TOWN_AGAIN
