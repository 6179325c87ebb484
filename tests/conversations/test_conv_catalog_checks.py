"""The catalogs' CI check (issue 5): the template is up to date with the sources, and
every shipped catalog has every message, no fuzzy entry, the same placeholders as the
source, valid plural forms (Babel's own checks) and passes GNU `msgfmt --check`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from conversations.i18n import DOMAIN, LOCALES_DIR, load_languages

ROOT = LOCALES_DIR.parent
CODES = [language.code for language in load_languages()]
PLACEHOLDER = re.compile(r"{(\w*)}")


@cache
def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _po(code: str) -> Path:
    return LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def _template_ids() -> set[str]:
    return {m.id for m in _read(LOCALES_DIR / f"{DOMAIN}.pot") if m.id}


def test_template_is_up_to_date_with_the_sources(tmp_path: Path) -> None:
    pybabel = Path(sys.executable).with_name("pybabel")
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            str(pybabel),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "t",
            "-k",
            "N_",
            "-k",
            "gettext:2",
            "--no-location",
            "--omit-header",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    extracted = {m.id for m in _read(fresh) if m.id}
    assert extracted == _template_ids(), "run `make catalogs` and translate the new entries"


@pytest.mark.parametrize("code", CODES)
def test_catalog_is_complete_and_consistent(code: str) -> None:
    catalog = _read(_po(code), code)
    ids = {m.id for m in catalog if m.id}
    assert _template_ids() - ids == set(), "messages missing from the catalog"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy or not message.string:
            problems.append(f"untranslated or fuzzy: {message.id[:60]!r}")
            continue
        if set(PLACEHOLDER.findall(message.id)) != set(PLACEHOLDER.findall(message.string)):
            problems.append(f"placeholders differ: {message.id[:60]!r}")
        problems += [f"{message.id[:40]!r}: {error}" for error in message.check(catalog)]
    assert problems == []
    assert catalog.plural_forms and catalog.num_plurals >= 1


@pytest.mark.parametrize("code", CODES)
def test_msgfmt_check_passes(code: str, tmp_path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("GNU gettext's msgfmt is missing (.ci/run installs it)")
        pytest.skip("msgfmt not installed")
    done = subprocess.run(
        [msgfmt, "--check", "-o", str(tmp_path / "out.mo"), str(_po(code))],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
