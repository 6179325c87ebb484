"""The safety net (issue 13): "I'm in danger" from every step, and one kind question when
a message might be an emergency. Msgids and payloads are matched, never English prose."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from conversations import safety
from conversations.directory import load_directory
from conversations.engine import SMALL_TALK_REPLY, Engine, render_step_for_tests
from conversations.flows import load_flows
from conversations.i18n import Catalogs
from conversations.model import CreateReferral, State
from conversations.signals import SignalDetector
from conversations.understanding import Understanding, default_understander
from conversations.understanding.understander import Understander
from support.engine_chat import NOW, PARIS, Chat

Made = Callable[..., Chat]


class Borderline(Understander):
    """The shipped understanding, except that every message it reads as `other` is a
    borderline emergency of the given kind: what the engine does with such a reading."""

    def __init__(self, suspected: str) -> None:
        shipped = default_understander()
        self.__dict__.update(shipped.__dict__)
        self._shipped = shipped
        self.suspected = suspected

    def understand(self, text: str) -> Understanding:
        found = self._shipped.understand(text)
        if found.intent != "other":
            return found
        return replace(found, possible_emergency=self.suspected, emergency_score=0.4)


def _engine(suspected: str) -> Engine:
    return Engine(
        load_flows(),
        Catalogs(),
        load_directory(),
        SignalDetector(),
        PARIS,
        understander=Borderline(suspected),
    )


def test_i_am_in_danger_is_offered_on_every_step(engine: Engine) -> None:
    missing = []
    for flow in engine.flows.flows.values():
        for step in flow.steps.values():
            state = State(lang="fr", consent=True, flow=flow.id, step=step.id)
            replies = render_step_for_tests(engine, state, NOW)
            if replies and not any(b.payload == "nav.danger" for r in replies for b in r.buttons):
                missing.append(f"{flow.id}.{step.id}")
    assert missing == []


@pytest.mark.parametrize("lang", ["fr", "ar", "fa_AF"])
def test_the_danger_button_brings_the_numbers_and_an_urgent_referral(
    chat: Made, engine: Engine, lang: str
) -> None:
    person = chat(lang=lang)
    person.press("nav.danger")
    urgent = [r for r in person.last.replies if r.urgent]
    assert any("17" in r.text and "112" in r.text for r in urgent)
    referrals = person.effects_of(CreateReferral)
    assert referrals and referrals[0].urgency == "urgent"
    # Then the question the person was at is asked again.
    assert "menu.main.housing" in person.last_payloads()


@pytest.mark.parametrize(
    ("lang", "suspected", "question", "yes"),
    [
        ("fr", "distress", safety.ARE_YOU_SAFE, "nav.danger.suicidal_distress"),
        ("ar", "violence", safety.ARE_YOU_SAFE, "nav.danger.violence_against_women"),
        ("fa_AF", "housing_emergency", safety.SLEEP_TONIGHT, "nav.danger.homeless_tonight"),
    ],
)
def test_a_borderline_message_gets_one_kind_question_then_the_card(
    lang: str, suspected: str, question: str, yes: str
) -> None:
    engine = _engine(suspected)
    person = Chat(engine, State(lang=lang, consent=True, flow="menu", step="main"))
    person.say("zzkq vlorp")  # nothing the rules or the model can read
    asked = person.last.replies[-1]
    assert asked.text == engine.catalogs.gettext(lang, question)
    assert [b.payload for b in asked.buttons] == [yes, "nav.safe", "nav.human"]
    assert not person.effects_of(CreateReferral)

    person.press(yes)
    assert any(r.urgent for r in person.last.replies)
    assert person.effects_of(CreateReferral)[0].urgency == "urgent"


def test_answering_safe_goes_back_to_the_question() -> None:
    engine = _engine("violence")
    person = Chat(engine, State(lang="uk", consent=True, flow="menu", step="main"))
    person.say("zzkq vlorp")
    person.press("nav.safe")
    texts = [r.text for r in person.last.replies]
    assert texts[0] == engine.catalogs.gettext("uk", safety.GLAD)
    assert "menu.main.housing" in person.last_payloads()
    assert not person.effects_of(CreateReferral)


@pytest.mark.parametrize("text", ["😭😭😭", "💔", "🆘", "😰 😰"])
def test_tears_or_fear_with_no_word_get_the_safety_question(engine: Engine, text: str) -> None:
    person = Chat(engine, State(lang="uk", consent=True, flow="menu", step="main"))
    person.say(text)
    asked = person.last.replies[-1]
    assert asked.text == engine.catalogs.gettext("uk", safety.ARE_YOU_SAFE)
    assert [b.payload for b in asked.buttons] == [
        "nav.danger.suicidal_distress",
        "nav.safe",
        "nav.human",
    ]


@pytest.mark.parametrize("text", ["😂😂", "👍", "🙏❤️"])
def test_laughter_or_thanks_with_no_word_is_small_talk(engine: Engine, text: str) -> None:
    person = Chat(engine, State(lang="uk", consent=True, flow="menu", step="main"))
    person.say(text)
    said = [reply.text for reply in person.last.replies]
    assert said[0] == engine.catalogs.gettext("uk", SMALL_TALK_REPLY)
    assert engine.catalogs.gettext("uk", safety.ARE_YOU_SAFE) not in said


def test_before_consent_the_emergency_card_offers_the_person_it_names(
    engine: Engine, chat: Made
) -> None:
    # "tap “Talk to a person”" used to name a button the consent question does not show.
    person = chat(lang="en", flow="entry", step="consent", consent=None)
    turn = person.say("I sleep in the street tonight")
    told = engine.catalogs.gettext(
        "en", "If you want an adviser to contact you, tap “Talk to a person”."
    )
    (offer,) = [r for r in turn.replies if r.text == told]
    assert person.payloads(offer) == ["nav.human"]
    person.press("nav.human")
    assert "nav.consent" in person.payloads(person.last.replies[-1])
