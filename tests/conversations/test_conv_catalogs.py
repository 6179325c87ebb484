"""Every sentence of the flows (and every emergency sentence) exists in the catalogs.

`test_every_flow_message_is_in_the_en_catalog` must always pass (en is the source).
`test_every_shipped_catalog_is_complete` checks every language of locales/languages.yaml;
it fails while a translation is in progress, on purpose: an untranslated question would
be shown in English to someone who chose another language.
"""

from __future__ import annotations

from functools import cache

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from conversations.directory import load_directory
from conversations.engine import Engine
from conversations.flows import load_flows
from conversations.handover import EMERGENCY_INTRO
from conversations.i18n import DOMAIN, LOCALES_DIR, load_languages
from conversations.turn import NAV_LABELS


@cache
def _catalog(code: str) -> Catalog:
    with (LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        return read_po(handle, locale=code)


def _flow_messages() -> list[tuple[str, str]]:
    return list(load_flows().messages())


def _safety_messages() -> list[tuple[str, str]]:
    found = [(text, f"EMERGENCY_INTRO[{key}]") for key, text in EMERGENCY_INTRO.items()]
    found += [(text, f"NAV_LABELS[{key}]") for key, text in NAV_LABELS.items()]
    for deployment_id in ("clermont-ferrand", "henin-carvin"):
        deployment = load_directory(deployment_id=deployment_id)
        found += [
            (c.label, f"{deployment_id}.emergency_contacts.{c.id}")
            for c in deployment.emergency_contacts.values()
        ]
    return found


def _untranslated(code: str, messages: list[tuple[str, str]]) -> list[str]:
    catalog = _catalog(code)
    problems = []
    for msgid, where in messages:
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"{where}: missing {msgid[:60]!r}")
        elif not message.string or message.fuzzy:
            problems.append(f"{where}: untranslated or fuzzy {msgid[:60]!r}")
    return problems


def test_every_step_text_and_choice_label_is_a_flow_message(engine: Engine) -> None:
    found = {msgid for msgid, _ in _flow_messages()}
    shown = {
        text
        for flow in engine.flows.flows.values()
        for step in flow.steps.values()
        for text in (step.text, *(choice.label for choice in step.choices))
        if text
    }
    assert shown and shown <= found


def test_every_flow_message_is_in_the_en_catalog() -> None:
    assert _untranslated("en", _flow_messages()) == []


def test_en_catalog_is_the_identity_for_flow_messages() -> None:
    catalog = _catalog("en")
    changed = [m for m, _ in _flow_messages() if catalog.get(m).string != m]
    assert changed == []


def test_every_safety_message_is_in_the_en_catalog() -> None:
    assert _untranslated("en", _safety_messages()) == []


@pytest.mark.parametrize("code", [language.code for language in load_languages()])
def test_every_shipped_catalog_is_complete(code: str) -> None:
    assert _untranslated(code, _flow_messages() + _safety_messages()) == []
