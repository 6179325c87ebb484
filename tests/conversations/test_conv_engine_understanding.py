"""Free text understood by the engine: journeys, a person, language offers (issue 5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conversations.engine import NOT_UNDERSTOOD, SMALL_TALK_REPLY, UNSURE_REPLY, Engine
from conversations.model import CreateReferral

ChatFactory = Callable[..., Any]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("I need a flat", ("housing", "where_sleep")),
        ("je cherche un logement", ("housing", "where_sleep")),
        ("c quoi le cej", ("cej", "about")),
        ("j'ai besoin d'argent pour manger", ("aid", "need")),
        ("je veux prendre un rdv", ("appointment", "reason")),
    ],
)
def test_menu_free_text_opens_the_journey(
    chat: ChatFactory, text: str, where: tuple[str, str]
) -> None:
    person = chat(lang="fr" if " " in text and not text.startswith("I ") else "en")
    person.say(text)
    assert person.where == where


def test_asking_for_a_person_makes_a_referral(chat: ChatFactory) -> None:
    person = chat()
    person.say("I want to talk to a real person please")
    referrals = person.effects_of(CreateReferral)
    assert [r.reason for r in referrals] == ["wants_human"]


def test_gibberish_is_kindly_reasked_with_the_menu(chat: ChatFactory) -> None:
    person = chat()
    turn = person.say("blorp zzz")
    assert person.where == ("menu", "main")
    assert "menu.main.housing" in person.payloads(turn.replies[-1])


def test_other_language_is_offered_in_both_languages_never_switched(chat: ChatFactory) -> None:
    person = chat(lang="fr")
    turn = person.say("أحتاج إلى سكن من فضلك")
    assert person.state.lang == "fr"
    offer = turn.replies[-1]
    assert [b.payload for b in offer.buttons] == ["nav.lang.ar", "nav.lang.fr"]
    assert "continuer" in offer.text and "\n" in offer.text
    again = person.say("أحتاج إلى سكن من فضلك")
    assert all(r.buttons[:1] != offer.buttons[:1] for r in again.replies)
    person.press("nav.lang.ar")
    assert person.state.lang == "ar"
    assert person.last.replies, "the current step is asked again, in Arabic"


def test_input_steps_keep_free_text_as_an_answer(chat: ChatFactory) -> None:
    person = chat(flow="housing", step="commune")
    person.say("Logement")  # a town name is never read as a journey at an input step
    assert person.state.profile["commune"] == "Logement"


@pytest.mark.parametrize(
    ("lang", "text"),
    [("en", "hi"), ("fr", "salut"), ("fa_AF", "سلام"), ("uk", "привіт"), ("ar", "مرحبا")],
)
@pytest.mark.parametrize("where", [("entry", "language"), ("menu", "main")])
def test_a_greeting_gets_a_kind_word_and_the_question_again(
    engine: Engine, chat: ChatFactory, lang: str, text: str, where: tuple[str, str]
) -> None:
    person = chat(lang=lang, flow=where[0], step=where[1], consent=where[0] == "menu" or None)
    turn = person.say(text)
    said = [reply.text for reply in turn.replies]
    assert said[0] == engine.catalogs.gettext(lang, SMALL_TALK_REPLY)
    assert engine.catalogs.gettext(lang, NOT_UNDERSTOOD) not in said
    assert person.where == where
    assert person.payloads(turn.replies[-1]), "the question is asked again, with its buttons"


def test_gibberish_is_still_not_understood(engine: Engine, chat: ChatFactory) -> None:
    person = chat(lang="fr")
    turn = person.say("blorp zzz qwerty")
    said = [reply.text for reply in turn.replies]
    assert said[0] == engine.catalogs.gettext("fr", NOT_UNDERSTOOD)
    assert engine.catalogs.gettext("fr", SMALL_TALK_REPLY) not in said


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "je sais pas"),
        ("fr", "jsp"),
        ("tr", "bilmiyorum"),
        ("ar", "ما بعرف"),
        ("ar", "ma3rftch"),
        ("uk", "не знаю"),
        ("ru", "я не знаю"),
        ("bn", "জানি না"),
        ("ps", "نه پوهېږم"),
        ("fa_AF", "نمیدانم"),
        ("ti", "ኣይፈልጥን"),
        ("en", "I don't know"),
    ],
)
def test_i_dont_know_gets_a_kind_word_and_the_question_not_the_language_list(
    engine: Engine, chat: ChatFactory, lang: str, text: str
) -> None:
    # The model reads several of these as asking for another language (issue 13).
    person = chat(lang=lang)
    person.press("menu.main.housing")
    turn = person.say(text)
    said = [reply.text for reply in turn.replies]
    assert said[0] == engine.catalogs.gettext(lang, UNSURE_REPLY)
    assert person.where == ("housing", "where_sleep")
    assert person.payloads(turn.replies[1])[0].startswith("housing.where_sleep.")
    assert not any(p.startswith("nav.lang.") for r in turn.replies for p in person.payloads(r))


def test_i_dont_know_with_a_language_cue_still_asks_for_the_language(chat: ChatFactory) -> None:
    person = chat(lang="fr")
    person.press("menu.main.housing")
    turn = person.say("je parle pas français je sais pas")
    assert "nav.lang.ar" in person.payloads(turn.replies[-1])


def test_i_dont_know_where_to_sleep_is_still_an_emergency(chat: ChatFactory) -> None:
    person = chat(lang="fr")
    person.press("menu.main.housing")
    person.say("jsp ou dormir ce soir")
    assert [r.reason for r in person.effects_of(CreateReferral)] == ["emergency"]


@pytest.mark.parametrize(
    ("lang", "text", "band"),
    [
        ("fr", "j'ai 19 ans", "18_25"),
        ("en", "I'm 17", "16_17"),
        ("uk", "мені 27 років", "26_29"),
        ("ar", "عمري ١٩", "18_25"),
        ("tr", "22 yaşındayım", "18_25"),
    ],
)
def test_an_age_typed_in_a_few_words_answers_the_age_question(
    chat: ChatFactory, lang: str, text: str, band: str
) -> None:
    person = chat(lang=lang)
    person.press("menu.main.housing")
    person.press("housing.where_sleep.hosted_unstable")
    assert person.where == ("housing", "age")
    turn = person.say(text)
    assert person.state.profile["age_band"] == band
    assert person.where != ("housing", "age")
    assert not any(p.startswith("nav.danger.") for r in turn.replies for p in person.payloads(r))


def test_an_age_in_a_long_message_is_not_taken_for_the_answer(chat: ChatFactory) -> None:
    person = chat(lang="fr")
    person.press("menu.main.housing")
    person.press("housing.where_sleep.hosted_unstable")
    person.say("mon frere a 19 ans et moi je sais pas trop")
    assert person.where == ("housing", "age")
    assert "age_band" not in person.state.profile


def test_asking_for_the_journey_one_is_in_does_not_restart_it(
    engine: Engine, chat: ChatFactory
) -> None:
    person = chat(lang="fr")
    person.press("menu.main.housing")
    person.press("housing.where_sleep.hosted_unstable")
    turn = person.say("je cherche un logement")
    assert person.where == ("housing", "age")
    assert turn.replies[0].text == engine.catalogs.gettext("fr", NOT_UNDERSTOOD)
    assert "housing.age.18_25" in person.payloads(turn.replies[-1])


@pytest.mark.parametrize(("lang", "text"), [("fr", "stop"), ("ar", "STOP"), ("uk", "Menu")])
def test_navigation_words_typed_in_english_work_in_every_language(
    chat: ChatFactory, lang: str, text: str
) -> None:
    person = chat(lang=lang)
    person.press("menu.main.housing")
    turn = person.say(text)
    assert person.where == ("menu", "main")
    payloads = [p for reply in turn.replies for p in person.payloads(reply)]
    assert not any(p.startswith("nav.danger.") for p in payloads)  # no safety question
    if text.lower() == "stop":
        assert payloads == ["nav.restart"]


@pytest.mark.parametrize(
    ("lang", "text", "answer"),
    [
        ("tr", "arkadaşımda kalıyorum", "hosted_unstable"),
        ("en", "I sleep at a friend's place", "hosted_unstable"),
        ("fr", "chez un pote", "hosted_unstable"),
        ("ar", "3nd sa7bi", "hosted_unstable"),
        ("ar", "أنام عند صديقي", "hosted_unstable"),
        ("uk", "живу у друга", "hosted_unstable"),
        ("fa_AF", "خانه دوستم میخوابم", "hosted_unstable"),
        ("ti", "ኣብ ገዛ ዓርከይ", "hosted_unstable"),
        ("fr", "chez mes parents", "family_home"),
        ("ru", "живу с родителями", "family_home"),
    ],
)
def test_a_choice_named_in_words_answers_the_question(
    chat: ChatFactory, lang: str, text: str, answer: str
) -> None:
    # Read without the question, several of these were taken for emergencies (the Turkish
    # one for suicidal distress): at "where do you sleep?" they are answers.
    person = chat(lang=lang)
    person.press("menu.main.housing")
    turn = person.say(text)
    assert person.state.answers["housing_situation"] == answer
    assert person.where != ("housing", "where_sleep")
    assert not person.effects_of(CreateReferral)
    assert not any(r.urgent for r in turn.replies)


def test_an_emergency_cue_still_comes_before_a_named_choice(chat: ChatFactory) -> None:
    person = chat(lang="fr")
    person.press("menu.main.housing")
    person.say("chez un pote qui me frappe")
    assert [r.reason for r in person.effects_of(CreateReferral)] == ["emergency"]
    assert "housing_situation" not in person.state.answers


def test_two_choices_named_or_a_long_message_answer_nothing(chat: ChatFactory) -> None:
    person = chat(lang="fr")
    person.press("menu.main.housing")
    person.say("chez mes parents ou chez un pote")
    person.say("en fait je sais pas trop ou je vais dormir la semaine prochaine chez un pote")
    assert "housing_situation" not in person.state.answers


def test_every_answer_cue_names_a_choice_of_the_flows(engine: Engine) -> None:
    payloads = {
        f"{step.flow}.{step.id}.{choice.id}"
        for flow in engine.flows.flows.values()
        for step in flow.steps.values()
        for choice in step.choices
    }
    named = {
        cue.category.removeprefix("answer ")
        for cue in engine.understander.lexicon.cues
        if cue.category.startswith("answer ")
    }
    assert named and named <= payloads, named - payloads
