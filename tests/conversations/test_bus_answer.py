"""Asking where the bus is gets this week's stops from the directory, in any language and
on a fresh install (no stop published through the admin API yet): issues 13 and 17."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conversations.model import State
from support.engine_chat import Chat

Made = Callable[..., Chat]

QUESTIONS = {
    "fr": "il est où le bus de la mission locale cette semaine ?",
    "ar": "وين بيوقف باص المهمة المحلية هالأسبوع؟",
    "fa_AF": "بس میلو این هفته کجا ایستاد میشه؟",
}


def _stops(person: Chat) -> list[str]:
    lines = [line for reply in person.last.replies for line in reply.text.splitlines()]
    return [line for line in lines if "🚌" in line]


@pytest.mark.parametrize("lang", sorted(QUESTIONS))
def test_a_bus_question_is_answered_with_this_weeks_stops(chat: Made, lang: str) -> None:
    person = chat(lang=lang)
    person.say(QUESTIONS[lang])
    assert person.where == ("info", "bus_week")
    stops = _stops(person)
    # The directory's weekly stops: Place de Jaude on Thursday, Les Vergnes.
    assert any("Place de Jaude" in line for line in stops), stops
    assert "nav.bus.on" in [b.payload for r in person.last.replies for b in r.buttons]


def test_the_info_menu_shows_the_weekly_stops_without_consent(chat: Made) -> None:
    person = chat(State(lang="fr", consent=False, flow="info", step="menu"))
    person.press("info.menu.bus")
    assert any("Place de Jaude" in line for line in _stops(person))
