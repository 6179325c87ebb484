"""docs/privacy.md, the consent text in every language and the retention settings agree
(issue 8): what the person is told is what the register says and what the clock does."""

from __future__ import annotations

from pathlib import Path

import yaml

from conversations.i18n import Catalogs
from relais.settings import Settings
from storage.retention import RetentionPolicy

ROOT = Path(__file__).resolve().parents[2]
CONSENT = yaml.safe_load((ROOT / "conversations/flows/entry.yaml").read_text(encoding="utf-8"))[
    "steps"
]["consent"]["text"]


def test_consent_text_says_twelve_months_in_every_language() -> None:
    catalogs = Catalogs()
    assert "12 months" in CONSENT
    for language in catalogs.languages:
        told = catalogs.gettext(language.code, CONSENT)
        assert language.code == "en" or told != CONSENT, f"{language.code}: not translated"
        assert "12" in told, f"{language.code}: the retention period is missing"


def test_retention_defaults_keep_the_promise() -> None:
    settings = Settings(_env_file=None)
    assert settings.retention_conversation_days == RetentionPolicy().conversation_days == 365
    assert settings.retention_closed_referral_days <= 365


def test_register_matches_the_consent_text() -> None:
    register = (ROOT / "docs/privacy.md").read_text(encoding="utf-8")
    for line in CONSENT.splitlines()[1:6]:
        assert line in register, line
    for setting in ("CONVERSATION_DAYS", "CLOSED_REFERRAL_DAYS", "INBOX_DAYS"):
        assert f"RELAIS_RETENTION_{setting}" in register
