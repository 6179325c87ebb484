"""The emergency screen works from every question, and refused consent records nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conversations.flows import load_flows
from conversations.model import CreateReferral, Event, RecordIntake, State

ChatFactory = Callable[..., Any]
HOMELESS = "I have nowhere to sleep tonight"

QUESTION_STEPS = [
    pytest.param(flow.id, step.id, id=f"{flow.id}.{step.id}")
    for flow in load_flows().flows.values()
    for step in flow.steps.values()
    if (step.choices or step.input) and not step.handler
]


def test_there_are_question_steps_in_every_flow_but_appointment_handlers() -> None:
    flows = {param.values[0] for param in QUESTION_STEPS}
    assert flows == {"entry", "menu", "info", "housing", "cej", "aid", "appointment"} | {
        "health",
        "mental_health",
        "papers",
        "french",
        "more_help",
        "minors",
        "care_leavers",
        "childcare",
        "mobility",
        "rights",
        "discrimination",
    }


@pytest.mark.parametrize(("flow", "step"), QUESTION_STEPS)
def test_emergency_interrupts_any_question(chat: ChatFactory, flow: str, step: str) -> None:
    person = chat(flow=flow, step=step)
    asked = person.engine.advance(person.state, Event.start(), person.now).replies[-1]

    turn = person.say(HOMELESS)
    assert turn.replies[0].urgent
    assert "115" in turn.replies[0].text
    referrals = [e for e in turn.effects if isinstance(e, CreateReferral)]
    assert len(referrals) == 1
    assert referrals[0].urgency == "urgent"
    assert referrals[0].reason == "emergency"
    assert referrals[0].role == "ml-cmv-housing-referent"
    assert referrals[0].summary["facts"]["signal"] == ["homeless_tonight"]
    assert [e.theme for e in turn.effects if isinstance(e, RecordIntake)] == ["emergency"]
    # The question is asked again, unchanged.
    assert person.where == (flow, step)
    assert turn.replies[-1] == asked
    assert person.state.signals == ["homeless_tonight"]

    again = person.say(HOMELESS)
    assert again.replies[0].urgent
    assert not [e for e in again.effects if isinstance(e, CreateReferral)]
    assert person.where == (flow, step)


def test_emergency_numbers_are_shown_as_urgent_lines(chat: ChatFactory) -> None:
    turn = chat().say("I want to kill myself")
    urgent = "\n".join(r.text for r in turn.replies if r.urgent)
    for number in ("3114", "15", "112"):
        assert f"\u2068{number}\u2069" in urgent
    (referral,) = [e for e in turn.effects if isinstance(e, CreateReferral)]
    assert (referral.role, referral.rule_id) == ("ml-cmv-psychologist", "r-em-suicide")


def test_minor_reporting_violence_gets_the_child_line(chat: ChatFactory) -> None:
    person = chat(profile={"age_band": "16_17"})
    turn = person.say("mon copain me frappe")
    urgent = "\n".join(r.text for r in turn.replies if r.urgent)
    assert "\u2068119\u2069" in urgent
    assert set(person.state.signals) == {"violence_against_women", "minor_in_danger"}
    assert len([e for e in turn.effects if isinstance(e, CreateReferral)]) == 1


def test_a_new_signal_raises_a_new_referral(chat: ChatFactory) -> None:
    person = chat()
    person.say(HOMELESS)
    person.say("I want to die")
    referrals = person.effects_of(CreateReferral)
    assert len(referrals) == 2
    assert person.state.signals == ["homeless_tonight", "suicidal_distress"]


def test_emergency_button_raises_a_referral_and_goes_on(chat: ChatFactory) -> None:
    person = chat()
    person.press("menu.main.housing")
    turn = person.press("housing.where_sleep.street")
    assert turn.replies[0].urgent
    (referral,) = [e for e in turn.effects if isinstance(e, CreateReferral)]
    assert (referral.urgency, referral.rule_id) == ("urgent", "r-em-homeless")
    assert person.where == ("housing", "age")
    assert person.state.answers == {"housing_situation": "street"}


# --- consent refused ---------------------------------------------------------------


def test_refused_consent_records_nothing_whatever_the_person_does(chat: ChatFactory) -> None:
    person = chat(State())
    person.send(Event.start())
    person.press("entry.language.en")
    person.press("entry.consent.refuse")
    assert person.state.consent is False
    assert person.where == ("info", "menu")

    for payload in (
        "menu.main.housing",
        "menu.main.cej",
        "menu.main.aid",
        "menu.main.appointment",
        "nav.human",
        "nav.menu",
        "info.menu.cej",
        "info.cej_about.join",  # into the CEJ journey: asks for consent instead
    ):
        person.press(payload)
        assert person.state.flow not in {"housing", "cej", "aid", "appointment"}, payload
    assert person.where == ("entry", "consent")
    person.press("entry.consent.refuse")

    for text in ("housing", "19", "Clermont-Ferrand", "/human", HOMELESS, "I want to die"):
        person.say(text)
    person.press("nav.menu")
    for payload in ("info.menu.numbers", "info.menu.places", "nav.human", "nav.back"):
        person.press(payload)

    assert [e for e in person.effects if isinstance(e, RecordIntake | CreateReferral)] == []
    assert person.state.answers == {}
    assert person.state.profile == {}
    assert person.state.signals == []


def test_emergency_without_consent_still_shows_the_numbers(chat: ChatFactory) -> None:
    person = chat(consent=False, flow="info", step="menu")
    turn = person.say(HOMELESS)
    assert turn.replies[0].urgent
    assert "115" in turn.replies[0].text
    assert turn.effects == ()
    assert person.where == ("info", "menu")


def test_human_without_consent_asks_for_it_and_offers_the_phone(chat: ChatFactory) -> None:
    person = chat(consent=False, flow="info", step="menu")
    turn = person.press("nav.human")
    assert turn.effects == ()
    assert "04 73 42 17 57" in turn.replies[0].text  # the Mission Locale's phone
    assert person.last_payloads() == ["nav.consent", "nav.menu"]
    person.press("nav.consent")
    assert person.where == ("entry", "consent")
    turn = person.press("entry.consent.agree")
    assert person.state.consent is True
    # The request is carried through: the agreement was asked for it.
    referrals = [e for e in turn.effects if isinstance(e, CreateReferral)]
    assert [r.reason for r in referrals] == ["wants_human"]
    assert [e.theme for e in turn.effects if isinstance(e, RecordIntake)] == ["general"]
    assert person.where == ("menu", "main")
    assert person.state.after_consent is None


def test_a_request_left_at_the_consent_step_is_not_carried_out_later(
    chat: ChatFactory,
) -> None:
    person = chat(consent=None, flow="info", step="menu")
    person.press("nav.human")
    person.press("nav.menu")  # changed their mind
    person.press("nav.consent")
    turn = person.press("entry.consent.agree")
    assert [e for e in turn.effects if isinstance(e, CreateReferral)] == []
    assert person.where == ("menu", "main")


def test_refusing_consent_drops_the_request(chat: ChatFactory) -> None:
    person = chat(consent=None, flow="info", step="menu")
    person.press("nav.human")
    person.press("nav.consent")
    turn = person.press("entry.consent.refuse")
    assert turn.effects == ()
    assert person.state.after_consent is None
    assert person.where == ("info", "menu")


def test_a_journey_asked_for_before_consent_starts_once_agreed(chat: ChatFactory) -> None:
    person = chat(consent=None, flow="info", step="cej_about")
    person.press("info.cej_about.join")
    assert person.where == ("entry", "consent")
    person.press("entry.consent.agree")
    assert person.state.flow == "cej"
