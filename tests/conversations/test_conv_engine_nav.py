"""Engine transcripts: first contact, consent, and the navigation shared by every step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conversations.engine import Engine
from conversations.i18n import load_languages
from conversations.model import CreateReferral, Event, RecordIntake, State
from conversations.navigation import LANGUAGE_QUESTION

ChatFactory = Callable[..., Any]

MENU_CHOICES = [
    "menu.main.housing",
    "menu.main.cej",
    "menu.main.aid",
    "menu.main.health",
    "menu.main.papers",
    "menu.main.more_help",
    "menu.main.appointment",
    "menu.main.info",
]
AGE_CHOICES = [f"housing.age.{band}" for band in ("u16", "16_17", "18_25", "26_29", "30_plus")]


def _in_housing_age(chat: ChatFactory) -> Any:
    """A consented person who went menu -> housing -> 'at friends' -> age question."""
    person = chat()
    person.press("menu.main.housing")
    person.press("housing.where_sleep.hosted_unstable")
    assert person.where == ("housing", "age")
    return person


# --- first contact -------------------------------------------------------------------


def test_start_asks_for_the_language(chat: ChatFactory) -> None:
    person = chat(State())
    turn = person.send(Event.start())
    assert person.where == ("entry", "language")
    assert person.state.lang is None
    assert len(turn.replies) == 1
    shipped = [language.code for language in load_languages()]
    assert person.last_payloads() == [f"entry.language.{code}" for code in shipped] + ["nav.danger"]
    assert shipped[:3] == ["fr", "en", "fr_FALC"] and len(shipped) == 11
    assert turn.effects == ()


def test_start_uses_the_channel_language_hint_and_keeps_the_source(chat: ChatFactory) -> None:
    person = chat(State())
    person.send(Event.start(lang_hint="en-GB", source="poster-jaude"))
    assert person.state.lang == "en"
    assert person.state.source == "poster-jaude"
    assert person.where == ("entry", "language")


def test_language_then_consent_then_menu(chat: ChatFactory) -> None:
    person = chat(State())
    person.send(Event.start())
    person.press("entry.language.en")
    assert person.state.lang == "en"
    assert person.where == ("entry", "consent")
    assert person.last_payloads() == ["entry.consent.agree", "entry.consent.refuse", "nav.danger"]
    assert "Do you agree?" in person.last.replies[-1].text

    person.press("entry.consent.agree")
    assert person.state.consent is True
    assert person.where == ("menu", "main")
    assert person.last_payloads()[: len(MENU_CHOICES)] == MENU_CHOICES
    assert person.last_payloads()[len(MENU_CHOICES) :] == [
        "nav.human",
        "nav.language",
        "nav.voice",
        "nav.stop",
        "nav.danger",
    ]
    assert person.effects == []


def test_start_again_resumes_where_the_person_was(chat: ChatFactory) -> None:
    person = _in_housing_age(chat)
    turn = person.send(Event.start())
    assert person.where == ("housing", "age")
    assert turn.replies[0].text.startswith("Welcome back")
    assert person.last_payloads()[:5] == AGE_CHOICES


def test_unsupported_language_payload_is_not_accepted(chat: ChatFactory) -> None:
    person = chat(State())
    person.send(Event.start())
    person.press("entry.language.xx")
    assert person.where == ("entry", "language")
    assert person.state.lang is None


# --- navigation ----------------------------------------------------------------------


def test_back_returns_to_the_previous_step(chat: ChatFactory) -> None:
    person = _in_housing_age(chat)
    person.press("nav.back")
    assert person.where == ("housing", "where_sleep")
    assert "housing.where_sleep.street" in person.last_payloads()
    person.press("nav.back")
    assert person.where == ("menu", "main")
    person.press("nav.back")  # nothing left: stays at the menu
    assert person.where == ("menu", "main")


def test_back_is_offered_only_when_there_is_somewhere_to_go(chat: ChatFactory) -> None:
    person = chat()
    person.press("menu.main.housing")
    assert person.last_payloads()[-4:] == ["nav.back", "nav.menu", "nav.human", "nav.danger"]
    person = chat(flow="housing", step="where_sleep")
    person.send(Event.start())
    assert person.last_payloads()[-3:] == ["nav.menu", "nav.human", "nav.danger"]
    assert "nav.back" not in person.last_payloads()


def test_menu_goes_to_the_main_menu_and_forgets_the_path(chat: ChatFactory) -> None:
    person = _in_housing_age(chat)
    person.press("nav.menu")
    assert person.where == ("menu", "main")
    assert person.state.stack == []
    assert person.last_payloads()[: len(MENU_CHOICES)] == MENU_CHOICES


def test_human_with_consent_creates_a_referral(chat: ChatFactory) -> None:
    person = _in_housing_age(chat)
    turn = person.press("nav.human")
    referrals = [e for e in turn.effects if isinstance(e, CreateReferral)]
    assert len(referrals) == 1
    assert referrals[0].reason == "wants_human"
    assert referrals[0].theme == "housing"
    assert referrals[0].role == "ml-cmv-housing-referent"
    intakes = [e for e in turn.effects if isinstance(e, RecordIntake)]
    assert [i.theme for i in intakes] == ["housing"]
    assert intakes[0].answers == {"housing_situation": "hosted_unstable"}
    assert person.where == ("menu", "main")


def test_human_from_the_menu_is_a_general_request(chat: ChatFactory) -> None:
    person = chat()
    turn = person.say("/human")
    (referral,) = [e for e in turn.effects if isinstance(e, CreateReferral)]
    assert (referral.reason, referral.theme) == ("wants_human", "general")
    assert referral.role == "ml-cmv-welcome-desk"


def test_language_half_way_switches_in_place_and_keeps_the_answers(
    chat: ChatFactory, engine: Engine
) -> None:
    person = _in_housing_age(chat)
    answers = dict(person.state.answers)
    person.press("nav.language")
    assert person.where == ("housing", "age")
    shipped = [language.code for language in load_languages()]
    assert person.last_payloads() == [f"nav.lang.{code}" for code in shipped]
    assert shipped[:3] == ["fr", "en", "fr_FALC"] and len(shipped) == 11
    assert person.last.replies[0].text == engine.catalogs.gettext("en", LANGUAGE_QUESTION)
    person.press("nav.lang.fr")
    assert person.state.lang == "fr"
    assert person.where == ("housing", "age")  # the same question, now in French
    assert person.state.answers == answers
    assert person.last_payloads()[:5] == AGE_CHOICES


def test_language_before_consent_is_the_first_question_again(chat: ChatFactory) -> None:
    person = chat(State(lang="en", flow="entry", step="consent"))
    person.press("nav.language")
    assert person.where == ("entry", "language")
    person.press("entry.language.fr")
    assert person.where == ("entry", "consent")


def test_stop_says_goodbye_and_offers_a_restart(chat: ChatFactory) -> None:
    person = _in_housing_age(chat)
    person.press("nav.stop")
    assert person.where == ("menu", "main")
    assert person.state.stack == []
    assert person.last_payloads() == ["nav.restart"]


def test_slash_commands_navigate(chat: ChatFactory) -> None:
    person = _in_housing_age(chat)
    person.say("/menu")
    assert person.where == ("menu", "main")


def test_stale_payload_is_reasked_without_changing_state(chat: ChatFactory) -> None:
    person = _in_housing_age(chat)
    before = person.state.to_dict()
    turn = person.press("housing.where_sleep.street")  # a button of the previous question
    assert person.state.to_dict() == before
    assert turn.effects == ()  # in particular, no emergency from the old button
    assert "earlier question" in turn.replies[0].text
    assert person.last_payloads()[:5] == AGE_CHOICES


def test_unknown_payload_of_the_current_step_is_reasked(chat: ChatFactory) -> None:
    person = _in_housing_age(chat)
    before = person.state.to_dict()
    person.press("housing.age.forty_two")
    assert person.state.to_dict() == before
    assert person.last_payloads()[:5] == AGE_CHOICES


def test_unknown_text_at_a_choice_step_reasks_the_same_buttons(chat: ChatFactory) -> None:
    person = chat()
    first = person.press("menu.main.housing")
    shown = person.payloads(first.replies[-1])
    before = person.state.to_dict()
    turn = person.say("blorp zzz qwerty")
    assert person.state.to_dict() == before
    assert turn.effects == ()
    assert len(turn.replies) == 2
    assert turn.replies[0].buttons == ()
    assert person.last_payloads() == shown


def test_text_matching_a_label_chooses_it(chat: ChatFactory) -> None:
    person = chat()
    person.say("housing")
    assert person.where == ("housing", "where_sleep")
    person.say("3")  # third button: at friends' or family's
    assert person.state.answers == {"housing_situation": "hosted_unstable"}


def test_age_typed_as_a_number_picks_the_band(chat: ChatFactory) -> None:
    person = _in_housing_age(chat)
    turn = person.say("19")
    assert person.state.profile["age_band"] == "18_25"
    assert person.where == ("housing", "commune")
    assert all("age as a number" not in reply.text for reply in turn.replies)


def test_age_number_below_ten_is_a_button_number_without_a_contradiction(
    chat: ChatFactory,
) -> None:
    # Regression: "3" used to say "write your age as a number" and still move on.
    person = _in_housing_age(chat)
    turn = person.say("3")
    assert person.state.profile["age_band"] == "18_25"  # the third button
    assert all("age as a number" not in reply.text for reply in turn.replies)


def test_profile_question_already_answered_is_skipped(chat: ChatFactory) -> None:
    person = chat(profile={"age_band": "18_25"})
    person.press("menu.main.housing")
    person.press("housing.where_sleep.hosted_unstable")
    assert person.where == ("housing", "commune")


def test_menu_reached_at_the_end_of_a_journey_forgets_the_journey(chat: ChatFactory) -> None:
    # Regression: `done -> menu.main` kept the stack, so "back" re-entered the finished
    # journey and "Yes, contact me" could be pressed a second time.
    person = chat(
        flow="housing",
        step="summary",
        stack=[["menu", "main"], ["housing", "where_sleep"]],
        answers={"housing_situation": "hosted_unstable"},
        profile={"age_band": "18_25"},
    )
    person.press("housing.summary.contact")
    assert person.where == ("menu", "main")
    assert person.state.stack == []
    person.say("back")
    assert person.where == ("menu", "main")
    person.press("housing.summary.contact")
    assert len(person.effects_of(CreateReferral)) == 1
